// The worker's Temporary Access Pass step, after the engine and before the item becomes final: only for a request
// that asked for one, only after a verified reset, only within the tenant's policy. The value goes from Graph's answer
// straight into an envelope only the intake can open (src/lib/tap/tap-envelope.ts); nothing here logs it. A failure
// never undoes the reset: the item records why no pass was issued.
import type { KeyObject } from 'node:crypto';
import type { ResetResult, TapGraphPort, TapOutcome } from '../domain/index.js';
import { GraphCallError, tapNotIssuedFor, tapTerms } from '../domain/index.js';
import type { StateStore, StoredRequest } from '../store/ports.js';
import { sealTap } from '../tap/tap-envelope.js';
import type { WorkLog } from './work-log.js';

export interface TapIssuerDeps {
  readonly graph: TapGraphPort;
  /** TAP_PUBLIC_KEY: the intake's public key; without it no pass is issued (`tap_not_configured`). */
  readonly publicKey: KeyObject | undefined;
}

/** Outcomes after which the user has been verified free of methods: the pass lets them register again. */
const VERIFIED: readonly string[] = ['reset', 'nothing_to_reset'];

export async function issueTap(
  deps: TapIssuerDeps | undefined,
  store: Pick<StateStore, 'saveTap'>,
  request: Pick<StoredRequest, 'id' | 'correlationId' | 'options'>,
  index: number,
  result: ResetResult,
  log: WorkLog,
): Promise<TapOutcome | undefined> {
  const asked = request.options.temporaryAccessPass;
  if (!asked) return undefined;
  const where = { requestId: request.id, item: index };
  if (request.options.dryRun || !VERIFIED.includes(result.outcome)) {
    return { status: 'not_issued', reason: tapNotIssuedFor(result.outcome, request.options.dryRun) };
  }
  if (!deps?.publicKey || !store.saveTap || !result.userId) {
    log.warn('tap_not_issued', { ...where, reason: 'tap_not_configured' });
    return { status: 'not_issued', reason: 'tap_not_configured' };
  }
  const correlationId = request.correlationId ?? request.id;
  try {
    const policy = await deps.graph.readTapPolicy({ correlationId });
    const decided = tapTerms(asked, policy);
    if (!decided.ok) {
      log.info('tap_not_issued', {
        ...where,
        reason: decided.outcome.status === 'not_issued' ? decided.outcome.reason : '',
      });
      return decided.outcome;
    }
    const issued = await deps.graph.createTap(result.userId, decided.terms, { correlationId });
    const envelope = sealTap(issued.value, deps.publicKey, request.id, index);
    const terms = {
      startDateTime: issued.startDateTime,
      lifetimeMinutes: issued.lifetimeMinutes,
      isUsableOnce: issued.isUsableOnce,
    };
    await store.saveTap(request.id, index, { envelope, ...terms }, correlationId);
    log.info('tap_issued', { ...where, lifetimeMinutes: terms.lifetimeMinutes, isUsableOnce: terms.isUsableOnce });
    return { status: 'issued', ...terms };
  } catch (error) {
    // Graph's 400 is a rule of the tenant's (the policy changed between the read and the call, a guest user…).
    const refused = error instanceof GraphCallError && error.kind === 'refused_by_rule';
    const reason = refused ? 'tap_refused_by_policy' : 'tap_failed';
    log.warn('tap_not_issued', {
      ...where,
      reason,
      error: error instanceof Error ? error.name : 'unknown',
      kind: error instanceof GraphCallError ? error.kind : undefined,
    });
    return { status: 'not_issued', reason, ...(refused ? { detail: 'Microsoft Graph refused the pass' } : {}) };
  }
}
