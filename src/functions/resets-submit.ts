// POST /api/resets: authenticate → authorize → parse/validate → idempotency → store request + items → enqueue
// → 202 Accepted with Location and Retry-After. Registered by src/app/register-functions.ts (no app.* here).

import { requireRole, type TokenVerifier } from '../lib/auth/index.js';
import { randomUUID, createHash } from 'node:crypto';
import {
  checkCallbackUrl,
  needsApproval,
  Roles,
  type ApprovalRule,
  type CallbackPolicy,
  type CallerRef,
} from '../lib/domain/index.js';
import type { CallbackUrlCipher } from '../lib/callbacks/url-cipher.js';
import { rateLimitProblem, type Reservation, type SubmissionGuard } from '../lib/guardrails/index.js';
import type { LimitsConfig } from '../lib/config/index.js';
import { bodyChunks, checkContentLength, readBodyText } from '../lib/http/body.js';
import { invalidRequest, ProblemException } from '../lib/http/problem.js';
import { requesterOf } from '../lib/http/requester.js';
import { forPerson } from '../lib/requests/person-requester.js';
import { json } from '../lib/http/respond.js';
import type { ResetQueue } from '../lib/queue/reset-queue.js';
import {
  fingerprint,
  hasOptionQuery,
  idempotencyKey,
  optionsFromQuery,
  parseCsvRequest,
  parseIdempotencyHeader,
  parseJsonRequest,
  type ParsedRequest,
} from '../lib/requests/index.js';
import type { NewCallback, StateStore, StoredRequest } from '../lib/store/ports.js';
import type { BreakerReader, KillSwitchReader } from '../lib/store/index.js';
import type { TapKeyUnwrapper } from '../lib/tap/tap-envelope.js';
import { telemetryEvents, type Telemetry } from '../lib/telemetry/telemetry.js';
import type { HttpHandler, HttpRequest, InvocationContext } from './adapter/functions-types.js';
import { withProblems } from './adapter/http-function.js';

export interface ResetsHttpDeps {
  readonly verifier: TokenVerifier;
  readonly store: StateStore;
  readonly limits: LimitsConfig;
  /** Opens Temporary Access Passes for their submitters (TAP_KEY_ID or TAP_PRIVATE_KEY_FILE); absent: none asked. */
  readonly tapUnwrapper?: TapKeyUnwrapper;
  /** Clock for a pass's lifetime (tests move time; default the system clock). */
  readonly now?: () => Date;
}

export interface SubmitResetsDeps extends ResetsHttpDeps {
  readonly queue: ResetQueue;
  /** Per-caller quota and tenant-wide circuit breaker (src/lib/guardrails); absent: no limits. */
  readonly guard?: SubmissionGuard;
  /** The operator's kill switch (cached read of the state table); in pause or cancel, nothing new is accepted. */
  readonly killSwitch?: KillSwitchReader;
  /** The latched tenant-wide circuit breaker (cached read); while open, nothing new is accepted. */
  readonly breaker?: BreakerReader;
  /** APPROVAL_MIN_USERS and APPROVAL_TTL_HOURS; absent: no approval. */
  readonly approval?: ApprovalRule & { readonly windowHours: number };
  readonly telemetry?: Telemetry;
  /** Completion callbacks (CALLBACK_ALLOWED_HOSTS); absent: every callbackUrl is refused. */
  readonly callbacks?: CallbackIntake;
}

export interface CallbackIntake {
  readonly policy: CallbackPolicy;
  readonly cipher: CallbackUrlCipher;
}

/** The header that carries a CSV upload's callback URL (a JSON body has `callbackUrl`; query strings get logged). */
export const CALLBACK_URL_HEADER = 'x-mfa-reset-callback-url';

/** Seconds a refused caller should wait before trying again while the kill switch is on. */
const KILL_SWITCH_RETRY_AFTER_SECONDS = 300;

async function refuseWhileStopped(deps: SubmitResetsDeps): Promise<void> {
  const breaker = await deps.breaker?.();
  if (breaker?.open) {
    throw new ProblemException({
      slug: 'breaker-open',
      status: 503,
      title: 'Service Unavailable',
      detail:
        `The tenant-wide circuit breaker opened at ${breaker.trippedAt ?? 'an earlier time'} (more resets than ` +
        'every caller together may make) and stays open until an operator resets it. Nothing was stored.',
      extensions: { trippedAt: breaker.trippedAt },
      headers: { 'retry-after': String(KILL_SWITCH_RETRY_AFTER_SECONDS) },
    });
  }
  const state = await deps.killSwitch?.();
  if (!state || state.mode === 'off') return;
  throw new ProblemException({
    slug: 'service-stopped',
    status: 503,
    title: 'Service Unavailable',
    detail: 'An operator stopped new MFA resets (kill switch). Nothing was stored; retry later.',
    extensions: { mode: state.mode },
    headers: { 'retry-after': String(KILL_SWITCH_RETRY_AFTER_SECONDS) },
  });
}

/**
 * Counts the request's users against the guardrails (429 when over). A retry of a request already stored under the
 * same idempotency key is not a new reset: it is let through uncounted, and the store answers it as before.
 */
async function reserve(
  deps: SubmitResetsDeps,
  caller: CallerRef,
  parsed: ParsedRequest,
  key: string,
): Promise<Reservation | undefined> {
  if (!deps.guard) return undefined;
  const kind = parsed.source === 'csv' || parsed.items.length > 1 ? 'bulk' : 'single';
  const decision = await deps.guard.reserve({ caller, kind, users: parsed.items.length });
  if (decision.allowed) return decision;
  if (await deps.store.findRequestByKey?.(key)) return undefined;
  const tripped = decision.scope === 'tenant' && (await deps.store.tripBreaker?.({ kind, limit: decision.limit }));
  // The breaker is latched now (by this call or an earlier one): the next request here reads it, not a stale cache.
  if (decision.scope === 'tenant') deps.breaker?.invalidate?.();
  if (tripped) {
    // The breaker latches: the worker pauses every item not started, and one alert goes out for the trip.
    deps.telemetry?.trackEvent(telemetryEvents.circuitBreakerOpened, {
      kind,
      limit: decision.limit,
      used: decision.used,
      requested: decision.requested,
      setting: decision.setting,
      callerAppId: caller.appId,
      callerTenantId: caller.tenantId,
    });
  }
  throw new ProblemException(rateLimitProblem(decision));
}

export const submitResetsRoute = {
  name: 'resets-submit',
  methods: ['POST'],
  authLevel: 'anonymous',
  route: 'resets',
} as const;

const invalid = invalidRequest;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What the store keeps of a callback: the host, the URL sealed (never in clear), a delivery id, the status base. */
function newCallback(
  intake: CallbackIntake,
  callback: { readonly url: string; readonly host: string },
  request: HttpRequest,
): NewCallback {
  const deliveryId = randomUUID();
  return {
    host: callback.host,
    sealedUrl: intake.cipher.seal(deliveryId, callback.url),
    deliveryId,
    statusBase: new URL('/api/resets/', request.url).toString(),
  };
}

function mediaTypeOf(request: HttpRequest): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A request as parsed, with the callback URL it asked for (checked against the allow-list). */
interface Submission {
  readonly parsed: ParsedRequest;
  readonly callback?: { readonly url: string; readonly host: string };
}

/** Checks a callback URL; the problem names the field and never quotes the URL (its query string holds secrets). */
function callbackOf(
  raw: unknown,
  field: string,
  policy: CallbackPolicy | undefined,
): { ok: true; url: string; host: string } | { ok: false; error: { field: string; message: string } } {
  if (typeof raw !== 'string') return { ok: false, error: { field, message: 'must be a string (an https URL)' } };
  const checked = checkCallbackUrl(raw.trim(), policy ?? { allowedHosts: [], allowLocalhost: false });
  return checked.ok ? checked : { ok: false, error: { field, message: checked.message } };
}

async function parseBody(request: HttpRequest, limits: LimitsConfig, policy?: CallbackPolicy): Promise<Submission> {
  const mediaType = mediaTypeOf(request);
  const query = new URL(request.url).searchParams;
  if (query.has('callbackUrl')) {
    throw invalid([
      {
        field: 'query.callbackUrl',
        message: `goes in the JSON body (callbackUrl) or the ${CALLBACK_URL_HEADER} header: query strings are logged`,
      },
    ]);
  }
  const header = request.headers.get(CALLBACK_URL_HEADER);
  if (mediaType === 'application/json') {
    if (hasOptionQuery(query)) {
      throw invalid([{ field: 'query', message: 'options go in the JSON body ("options"), not the query string' }]);
    }
    if (header !== null) {
      throw invalid([{ field: CALLBACK_URL_HEADER, message: 'is for CSV uploads: a JSON body has callbackUrl' }]);
    }
    const text = await readBodyText(request, limits.maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw invalid([{ field: '(body)', message: 'is not valid JSON' }]);
    }
    // callbackUrl is checked here, against the deployment's allow-list; the rest of the body by the parser.
    let rest = body;
    let callback: ReturnType<typeof callbackOf> | undefined;
    if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'callbackUrl' in body) {
      const { callbackUrl, ...others } = body as Record<string, unknown>;
      rest = others;
      callback = callbackOf(callbackUrl, 'callbackUrl', policy);
    }
    const parsed = parseJsonRequest(rest, limits.maxBulkRows);
    const errors = [...(parsed.ok ? [] : parsed.errors), ...(callback && !callback.ok ? [callback.error] : [])];
    if (!parsed.ok || errors.length > 0) throw invalid(errors);
    return { parsed: parsed.request, ...(callback?.ok ? { callback } : {}) };
  }
  if (mediaType === 'text/csv') {
    const options = optionsFromQuery(query);
    const callback = header === null ? undefined : callbackOf(header, CALLBACK_URL_HEADER, policy);
    const headErrors = [...(options.ok ? [] : options.errors), ...(callback && !callback.ok ? [callback.error] : [])];
    if (!options.ok || headErrors.length > 0) throw invalid(headErrors);
    const parsed = await parseCsvRequest(bodyChunks(request, limits.maxBodyBytes), {
      maxRows: limits.maxBulkRows,
      resetOptions: options.options,
    });
    if (!parsed.ok) throw invalid(parsed.errors, parsed.totalErrors);
    return { parsed: parsed.request, ...(callback?.ok ? { callback } : {}) };
  }
  throw new ProblemException({
    slug: 'unsupported-media-type',
    status: 415,
    title: 'Unsupported Media Type',
    detail: 'Send application/json (one user or "users") or text/csv (bulk upload).',
    headers: { 'accept-post': 'application/json, text/csv' },
  });
}

function accepted(request: HttpRequest, stored: StoredRequest, limits: LimitsConfig, extra: Record<string, unknown>) {
  const location = new URL(`/api/resets/${stored.id}`, request.url).toString();
  const waiting = stored.phase === 'awaiting_approval' && stored.approval;
  return json(
    202,
    {
      id: stored.id,
      status: waiting ? 'awaiting_approval' : 'queued',
      items: stored.itemCount,
      ...(waiting ? { approval: { state: 'pending', expiresAt: stored.approval?.expiresAt } } : {}),
      ...extra,
    },
    { location, 'retry-after': String(limits.statusRetryAfterSeconds) },
  );
}

/** Hands a stored request to the queue and records it; a failure leaves it `accepted` for a retry or the sweeper. */
export async function handOff(
  deps: Pick<SubmitResetsDeps, 'queue' | 'store'>,
  stored: StoredRequest,
  context: InvocationContext,
): Promise<void> {
  try {
    await deps.queue.submit(stored.id, stored.itemCount);
    await deps.store.markEnqueued(stored.id);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    context.warn(
      `event=enqueue_deferred requestId=${stored.id} items=${stored.itemCount} error="${message.replace(/["\r\n]+/g, ' ')}"`,
    );
  }
}

export function makeSubmitResetsHandler(deps: SubmitResetsDeps): HttpHandler {
  return withProblems('resets-submit', async (request, context) => {
    const principal = await deps.verifier.verify(request.headers.get('authorization'));
    if (!principal.roles.includes(Roles.submit) && !principal.roles.includes(Roles.submitBulk)) {
      requireRole(principal, Roles.submit);
    }
    await refuseWhileStopped(deps);
    const header = parseIdempotencyHeader(request.headers.get('idempotency-key'));
    if (!header.ok) {
      throw invalid([{ field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }]);
    }
    checkContentLength(request, deps.limits.maxBodyBytes);
    const body = await parseBody(request, deps.limits, deps.callbacks?.policy);
    const callback = body.callback;
    // A person is their own requester: no requestedBy naming someone else (person-requester.ts).
    const personal = forPerson(body.parsed, principal.identity);
    if (!personal.ok) throw invalid(personal.errors, personal.total);
    const parsed = personal.request;
    if (parsed.options.temporaryAccessPass && !deps.tapUnwrapper) {
      // Nobody could ever read the pass back: refuse rather than issue one that stays sealed.
      const field = parsed.source === 'csv' ? 'query.temporaryAccessPass' : 'options.temporaryAccessPass';
      throw invalid([{ field, message: 'is not available: this deployment has no key to show a pass (TAP_KEY_ID)' }]);
    }
    requireRole(principal, parsed.source === 'csv' || parsed.items.length > 1 ? Roles.submitBulk : Roles.submit);

    const key = idempotencyKey(principal.caller, parsed, header.key);
    const reservation = await reserve(deps, principal.caller, parsed, key);
    const correlationId = context.traceContext?.traceParent ?? context.invocationId;
    const result = await deps.store
      .createRequest({
        requester: requesterOf(principal, request.headers),
        ticket: parsed.ticket,
        reason: parsed.reason,
        ...(parsed.requestedBy ? { requestedBy: parsed.requestedBy } : {}),
        options: parsed.options,
        source: parsed.source,
        items: parsed.items,
        idempotencyKey: key,
        // The same key with another callback URL is another request (422), as with any other field.
        fingerprint: callback ? sha256(`${fingerprint(parsed)}|callback|${callback.url}`) : fingerprint(parsed),
        ...(callback && deps.callbacks ? { callback: newCallback(deps.callbacks, callback, request) } : {}),
        correlationId,
        ...(deps.approval &&
        needsApproval(deps.approval, {
          users: parsed.items.length,
          source: parsed.source,
          dryRun: parsed.options.dryRun,
        })
          ? { approval: { windowMs: deps.approval.windowHours * 3600 * 1000 } }
          : {}),
      })
      .catch(async (e: unknown) => {
        await reservation?.release().catch(() => undefined);
        throw e;
      });
    // Only a new request spends quota; a repeat, a conflict or a request still being written gives it back.
    if (result.kind !== 'created') await reservation?.release().catch(() => undefined);

    switch (result.kind) {
      case 'conflict':
        throw new ProblemException({
          slug: 'idempotency-key-reused',
          status: 422,
          title: 'Unprocessable Content',
          detail: header.key
            ? 'This Idempotency-Key was already used with a different request body.'
            : 'A request for the same ticket and users was already made with different details ' +
              '(reason, requestedBy or options). Send an Idempotency-Key to make a new request on purpose.',
          extensions: { requestId: result.requestId },
        });
      case 'in_progress':
        throw new ProblemException({
          slug: 'request-in-progress',
          status: 409,
          title: 'Conflict',
          detail: 'The same request is still being stored by an earlier call; retry shortly.',
          extensions: { requestId: result.requestId },
          headers: { 'retry-after': '2' },
        });
      case 'created':
      case 'existing': {
        const stored = result.request;
        if (stored.phase === 'accepted') await handOff(deps, stored, context);
        context.info(
          `event=reset_request_${result.kind} requestId=${stored.id} items=${stored.itemCount} source=${parsed.source} app=${principal.caller.appId}`,
        );
        return accepted(request, stored, deps.limits, {
          ...(parsed.duplicates > 0 ? { duplicatesCollapsed: parsed.duplicates } : {}),
        });
      }
    }
  });
}
