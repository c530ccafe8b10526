// The worker use case behind queue `reset-callbacks`: POST a final request's status to the caller's callback URL,
// signed, at least once. Each message names the attempt it is for; the store hands an attempt to one sender at a time
// (claimCallback), so copies of a message never both call. An answer worth retrying (408, 429, 5xx, none) queues the
// next attempt with a growing delay; any other refusal, or the last attempt, ends it `failed`. The URL is opened only
// here, checked again against this app's own allow-list, and never logged: logs and telemetry name its host.
import {
  CALLBACK_MAX_ATTEMPTS,
  callbackRetryDelaySeconds,
  callbackVerdict,
  checkCallbackUrl,
  type CallbackPolicy,
} from '../domain/index.js';
import { statusDocument } from '../http/status-views.js';
import type { ResetCallbackMessage, ResetQueue } from '../queue/reset-queue.js';
import type { StateStore, StoredRequest } from '../store/ports.js';
import { telemetryEvents, telemetryMetrics, type Telemetry } from '../telemetry/telemetry.js';
import type { WorkLog } from '../worker/work-log.js';
import type { CallbackSender } from './https-sender.js';
import { callbackHeaders, signatureHeader } from './signature.js';
import type { CallbackUrlCipher } from './url-cipher.js';

export interface DeliverCallbackDeps {
  readonly store: StateStore;
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
  readonly cipher: CallbackUrlCipher;
  /** This app's own CALLBACK_ALLOWED_HOSTS: a stored URL is checked again before it is called. */
  readonly policy: CallbackPolicy;
  /** CALLBACK_SIGNING_KEY; without it nothing is sent (the callback ends `failed`). */
  readonly signingKey: Uint8Array | undefined;
  readonly sender: CallbackSender;
  /** How long an attempt is held: longer than the sender's timeout (default 40 s). */
  readonly claimSeconds?: number;
  /** Delay before the next attempt after `attemptsDone` attempts (default callbackRetryDelaySeconds; tests: 1 s). */
  readonly retryDelaySeconds?: (attemptsDone: number) => number;
  readonly now?: () => Date;
}

export type DeliverCallbackResult = 'delivered' | 'retry_queued' | 'failed' | 'skipped' | 'busy' | 'not_final';

/** The body: the final GET's first page, without the `callback` field, which describes this very delivery. */
async function documentOf(store: StateStore, request: StoredRequest): Promise<string> {
  const summary = await store.getSummary(request);
  const page = await store.listItems(request, 1);
  let nextPage: string | undefined;
  if (page.pages > 1 && request.callback?.statusBase) {
    const url = new URL(request.id, request.callback.statusBase);
    url.searchParams.set('page', '2');
    nextPage = url.toString();
  }
  const { callback: _delivery, ...document } = statusDocument(summary, page, nextPage);
  return JSON.stringify(document);
}

export async function deliverCallback(
  deps: DeliverCallbackDeps,
  message: ResetCallbackMessage,
  log: WorkLog,
): Promise<DeliverCallbackResult> {
  const { store, queue } = deps;
  const { requestId } = message;
  const attempt = message.attempt ?? 0;
  if (!store.claimCallback || !store.recordCallback || !queue.enqueueCallback) return 'skipped';
  const where = { requestId, attempt: attempt + 1 };

  const request = await store.getRequest(requestId);
  if (!request?.callback) {
    log.warn('callback_missing', where);
    return 'skipped';
  }
  // A message is only a pointer: a copy (or a forgery) for a request still running never calls early.
  if ((await store.getSummary(request)).pending > 0) {
    log.warn('callback_not_final', where);
    return 'not_final';
  }
  const claim = await store.claimCallback(requestId, attempt, deps.claimSeconds ?? 40);
  if (!claim.claimed) {
    if (claim.reason === 'busy') {
      // Another copy holds this attempt: look again once its hold ends (it will have moved on, or crashed).
      const wait = claim.claimUntil ? (Date.parse(claim.claimUntil) - Date.now()) / 1000 : 0;
      await queue.enqueueCallback(requestId, attempt, Math.max(1, wait + 1));
      return 'busy';
    }
    return 'skipped';
  }
  const callback = claim.request.callback;
  const fields = { ...where, host: callback.host };

  const opened = deps.cipher.open(callback.deliveryId, callback.sealedUrl);
  const allowed = opened === undefined ? undefined : checkCallbackUrl(opened, deps.policy);
  if (!allowed?.ok || !deps.signingKey) {
    const reason = !deps.signingKey
      ? 'no_signing_key'
      : opened === undefined
        ? 'url_not_authentic'
        : 'host_not_allowed';
    await store.recordCallback(requestId, { status: 'failed' });
    deps.telemetry.trackEvent(telemetryEvents.callbackFailed, { requestId, host: callback.host, reason });
    log.error('callback_refused', { ...fields, reason });
    return 'failed';
  }

  const body = await documentOf(store, claim.request);
  const timestamp = String(Math.floor((deps.now?.() ?? new Date()).getTime() / 1000));
  const answer = await deps.sender.post(allowed.url, body, {
    [callbackHeaders.signature]: signatureHeader(deps.signingKey, timestamp, body),
    [callbackHeaders.timestamp]: timestamp,
    [callbackHeaders.delivery]: callback.deliveryId,
  });
  const verdict = callbackVerdict(answer.status);
  deps.telemetry.trackMetric(telemetryMetrics.callbackAttempts, 1, { verdict });
  const answered = { ...fields, status: answer.status ?? 0, ...(answer.error ? { error: answer.error } : {}) };

  if (verdict === 'delivered') {
    await store.recordCallback(requestId, { status: 'delivered', ...statusOf(answer.status) });
    deps.telemetry.trackEvent(telemetryEvents.callbackDelivered, {
      requestId,
      host: callback.host,
      attempts: attempt + 1,
    });
    log.info('callback_delivered', answered);
    return 'delivered';
  }
  if (verdict === 'retry' && attempt + 1 < CALLBACK_MAX_ATTEMPTS) {
    // The next attempt is queued before this one is recorded: if recording fails, this message comes back, finds the
    // attempt still held, and waits for the hold to end (a repeated call at worst, never a lost one).
    const delay = (deps.retryDelaySeconds ?? callbackRetryDelaySeconds)(attempt + 1);
    await queue.enqueueCallback(requestId, attempt + 1, delay);
    await store.recordCallback(requestId, { status: 'pending', ...statusOf(answer.status) });
    log.warn('callback_retry_queued', { ...answered, delaySeconds: delay });
    return 'retry_queued';
  }
  await store.recordCallback(requestId, { status: 'failed', ...statusOf(answer.status) });
  const reason = verdict === 'stop' ? 'refused_by_receiver' : 'attempts_exhausted';
  deps.telemetry.trackEvent(telemetryEvents.callbackFailed, {
    requestId,
    host: callback.host,
    reason,
    statusCode: answer.status ?? 0,
    attempts: attempt + 1,
  });
  log.error('callback_failed', { ...answered, reason });
  return 'failed';
}

const statusOf = (status: number | undefined): { statusCode?: number } =>
  status === undefined ? {} : { statusCode: status };

/** Poison: the delivery itself kept failing (storage down?) past maxDequeueCount. The callback ends `failed`. */
export async function quarantineCallback(
  deps: Pick<DeliverCallbackDeps, 'store' | 'telemetry'>,
  message: ResetCallbackMessage,
  log: WorkLog,
): Promise<void> {
  const request = await deps.store.getRequest(message.requestId);
  if (request?.callback?.status !== 'pending') return;
  await deps.store.recordCallback?.(message.requestId, { status: 'failed' });
  deps.telemetry.trackEvent(telemetryEvents.callbackFailed, { requestId: message.requestId, reason: 'poison_message' });
  log.error('callback_poisoned', { requestId: message.requestId, attempt: (message.attempt ?? 0) + 1 });
}
