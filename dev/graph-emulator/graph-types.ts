/** The shapes Graph route handlers work with: a parsed request in, a JSON response out (no sockets, so $batch can reuse them). */
import type { TenantState } from './state/tenant-state.js';

export type GraphVersion = 'v1.0' | 'beta';

export interface GraphRequest {
  method: string;
  version: GraphVersion;
  /** Decoded path segments after the version, e.g. ['users', 'a@b', 'authentication', 'methods']. */
  segments: string[];
  /** Raw (still encoded) segments, for @odata.context and error texts. */
  rawSegments: string[];
  query: URLSearchParams;
  headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body; undefined when empty. */
  body: unknown;
  /** Set when a body was sent but is not valid JSON. */
  bodyInvalid: boolean;
  requestId: string;
  clientRequestId: string;
  /** Inside a $batch. */
  inBatch: boolean;
}

export interface GraphResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON body; undefined means no body (204). */
  body?: unknown;
  /** Set when the response comes from the emulator's fault injection or throttling. */
  injected?: boolean;
}

export interface Caller {
  appId: string;
  objectId: string;
  /** The permissions the token grants: app roles (app-only) or `scp` (delegated). */
  roles: ReadonlySet<string>;
  /** Delegated token: the signed-in person's object id, whose admin roles Graph also checks. */
  signedInUser?: string;
}

export interface Knobs {
  /** Deleted methods keep appearing in list responses for this long (research §8). */
  staleReadsMs: number;
  /** Method kinds (e.g. 'phone') that block deleting the default; null = the built-in set (research §3.1). */
  defaultBlockingKinds: ReadonlySet<string> | null;
  /** Caps the page size of every paged list (null = each endpoint's default or $top), to exercise paging. */
  pageSize: number | null;
  /** Requests to /authentication/* slower than this (fault latency) answer 504 (authenticationmethods-overview.md). */
  authMethodsTimeoutMs: number;
  /**
   * An application may delete hardware OATH tokens. Off by default: the beta delete page says "Application: Not
   * supported" (docs/emulator.md, Fidelity); on, should Microsoft start to allow it.
   */
  hardwareOathAppDelete: boolean;
}

export interface GraphContext {
  req: GraphRequest;
  caller: Caller;
  state: TenantState;
  knobs: Knobs;
  /** https://localhost:PORT (no trailing slash). */
  baseUrl: string;
}

export type GraphHandler = (ctx: GraphContext) => GraphResponse;
