// The verify step of one pass: list the methods again. When Graph refused something, the default is read again too
// (the next pass re-plans with it); when nothing was refused, revoking sessions runs alongside, so it costs no extra
// round trip.
import type { GraphCallContext, GraphMethod, GraphPort } from '../domain/index.js';
import { settleAll } from '../concurrency/bounded.js';
import { mergeListings } from './method-refs.js';

export interface VerifyInput {
  readonly graph: GraphPort;
  readonly userId: string;
  readonly listHardwareOath: boolean;
  readonly ctx: GraphCallContext;
  readonly onRoundTrip: () => void;
}

export interface Verification {
  /** Every method the user still has. */
  readonly after: GraphMethod[];
  /** The default read again (only after a refusal); null when unset. */
  readonly preferred?: string | null;
  readonly sessionsRevoked: boolean;
}

export async function verifyPass(
  input: VerifyInput,
  options: { readonly rereadDefault: boolean; readonly revokeAlongside: boolean },
): Promise<Verification> {
  const { graph, userId, ctx } = input;
  input.onRoundTrip();
  const [listed, hardware, prefs] = await settleAll([
    graph.listMethods(userId, ctx),
    input.listHardwareOath ? graph.listHardwareOathMethods(userId, ctx) : Promise.resolve([]),
    options.rereadDefault ? graph.getSignInPreferences(userId, ctx) : Promise.resolve(undefined),
    options.revokeAlongside ? graph.revokeSignInSessions(userId, ctx) : Promise.resolve(),
  ] as const);
  return {
    after: mergeListings(listed, hardware),
    ...(prefs ? { preferred: prefs.userPreferredMethodForSecondaryAuthentication } : {}),
    sessionsRevoked: options.revokeAlongside,
  };
}
