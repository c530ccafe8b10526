// Decides whether a submission may go ahead, and reserves its users against the caller's quota and the
// tenant-wide circuit breaker, counted over a sliding 60-minute window (sliding-window.ts). A refusal carries
// everything an HTTP 429 needs; a caller's first refusal raises an alert event (one per caller counter and 60 minutes,
// however long the flood goes on: see markTripped). The tenant breaker alerts when it latches (resets-submit.ts).

import type { CallerRef } from '../domain/index.js';
import { telemetryEvents, telemetryMetrics, type Telemetry } from '../telemetry/telemetry.js';
import { secondsUntil, WINDOW_SECONDS } from './sliding-window.js';
import { limitFor, settingFor, type GuardrailLimits, type LimitScope, type SubmissionKind } from './limits.js';
import { counterRow, type CounterAddition, type WindowCounters } from './window-counters.js';

export interface Submission {
  readonly caller: CallerRef;
  readonly kind: SubmissionKind;
  /** Users the request asks to reset. */
  readonly users: number;
}

export interface Reservation {
  readonly allowed: true;
  /** Gives the users back (the request turned out to exist already, or could not be stored). Idempotent. */
  release(): Promise<void>;
}

export interface Refusal {
  readonly allowed: false;
  readonly scope: LimitScope;
  readonly kind: SubmissionKind;
  readonly limit: number;
  /** Users counted in the last 60 minutes. */
  readonly used: number;
  readonly requested: number;
  readonly retryAfterSeconds: number;
  /**
   * The earliest moment enough of the counted users have left the window for this request to fit (ISO 8601). A
   * request larger than the limit never fits: then a full window from now, so that an automatic retry does not hammer.
   */
  readonly resetsAt: string;
  /** The setting that holds this limit. */
  readonly setting: string;
}

export type GuardDecision = Reservation | Refusal;

export interface SubmissionGuard {
  reserve(submission: Submission): Promise<GuardDecision>;
}

export interface SubmissionGuardDeps {
  readonly counters: WindowCounters;
  readonly limits: GuardrailLimits;
  readonly telemetry: Telemetry;
  readonly now?: () => Date;
}

export const callerCounterRow = (caller: CallerRef, kind: SubmissionKind): string =>
  counterRow('caller', caller.tenantId, caller.appId, kind);
export const tenantCounterRow = (kind: SubmissionKind): string => counterRow('tenant', kind);

export function createSubmissionGuard(deps: SubmissionGuardDeps): SubmissionGuard {
  const now = deps.now ?? (() => new Date());

  return {
    async reserve(submission) {
      const at = now();
      const { caller, kind, users } = submission;
      const additions: CounterAddition[] = [
        { rowKey: callerCounterRow(caller, kind), amount: users, limit: limitFor(deps.limits, 'caller', kind) },
        { rowKey: tenantCounterRow(kind), amount: users, limit: limitFor(deps.limits, 'tenant', kind) },
      ];
      const result = await deps.counters.tryAdd(at, additions);

      if (result.added) {
        let released = false;
        return {
          allowed: true,
          release: async () => {
            if (released) return;
            released = true;
            await deps.counters.subtract(result.bucket, additions, now());
          },
        };
      }

      const scope: LimitScope = result.rowKey === additions[0]?.rowKey ? 'caller' : 'tenant';
      const retryAt = result.fitsAt ?? new Date(at.getTime() + WINDOW_SECONDS * 1000);
      const refusal: Refusal = {
        allowed: false,
        scope,
        kind,
        limit: result.limit,
        used: result.count,
        requested: users,
        retryAfterSeconds: secondsUntil(retryAt, at),
        resetsAt: retryAt.toISOString(),
        setting: settingFor(scope, kind),
      };
      deps.telemetry.trackMetric(telemetryMetrics.submissionsRefused, 1, { scope, kind });
      // The tenant-wide breaker's alert goes out when it latches (resets-submit.ts: one per trip, until an operator
      // resets it); a caller's quota alerts here, once per counter and 60 minutes.
      if (scope === 'caller' && (await deps.counters.markTripped(result.rowKey, at))) {
        deps.telemetry.trackEvent(telemetryEvents.callerQuotaExceeded, {
          kind,
          limit: refusal.limit,
          used: refusal.used,
          requested: users,
          resetsAt: refusal.resetsAt,
          setting: refusal.setting,
          callerAppId: caller.appId,
          callerTenantId: caller.tenantId,
        });
      }
      return refusal;
    },
  };
}
