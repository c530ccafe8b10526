// Per-caller quota and tenant-wide circuit breaker on real Azurite tables, over a sliding 60-minute window with a clock
// the test controls: limits hold across "instances" (separate clients) and across a clock hour, counters move
// atomically, a refusal says when the request fits, and one alert event fires per counter and 60 minutes.
import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerCounterRow,
  createSubmissionGuard,
  createTableWindowCounters,
  defaultGuardrailLimits,
  rateLimitProblem,
  tenantCounterRow,
  type GuardDecision,
  type GuardrailLimits,
  type Refusal,
} from '../../src/lib/guardrails/index.js';
import { problemResponse } from '../../src/lib/http/problem.js';
import type { CallerRef } from '../../src/lib/domain/index.js';
import { loadConfig } from '../../src/lib/config/index.js';
import { RecordingTelemetry, telemetryEvents } from '../../src/lib/telemetry/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';
import { newSealKey } from '../../dev/stack/seal-key.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** A fresh table per test: each test starts from empty counters. */
function newTable(): TableClient {
  return TableClient.fromConnectionString(azurite.connectionString, `guard${randomUUID().replace(/-/g, '')}`, {
    allowInsecureConnection: true,
  });
}

const tenantId = '11111111-1111-4111-8111-111111111111';
const caller = (n: number): CallerRef => ({ tenantId, appId: `00000000-0000-4000-8000-00000000000${n}` });

function guardOn(
  table: TableClient,
  limits: Partial<GuardrailLimits>,
  now: () => Date,
  telemetry = new RecordingTelemetry(),
) {
  return {
    telemetry,
    counters: createTableWindowCounters(table),
    guard: createSubmissionGuard({
      counters: createTableWindowCounters(table),
      limits: { ...defaultGuardrailLimits, ...limits },
      telemetry,
      now,
    }),
  };
}

const refused = (d: GuardDecision): Refusal => {
  if (d.allowed) throw new Error('expected a refusal');
  return d;
};

/** A clock the test moves. */
function testClock(start: string) {
  let current = new Date(start);
  return {
    now: () => current,
    set: (iso: string) => {
      current = new Date(iso);
    },
  };
}

describe('submission guardrails', () => {
  it('has defaults that fit a service desk and still stop a flood (0 = off is never a default)', () => {
    const l = defaultGuardrailLimits;
    expect(l).toEqual({
      callerSinglePerHour: 50,
      callerBulkPerHour: 2_000,
      tenantSinglePerHour: 500,
      tenantBulkPerHour: 10_000,
    });
    expect(l.tenantBulkPerHour).toBeGreaterThanOrEqual(l.callerBulkPerHour);
    expect(l.tenantSinglePerHour).toBeGreaterThanOrEqual(l.callerSinglePerHour);
  });

  it('refuses a caller past its quota with 429 problem+json, Retry-After until its users leave the window, and one alert', async () => {
    const now = new Date('2026-11-27T20:59:30.250Z');
    const { guard, telemetry } = guardOn(newTable(), { callerSinglePerHour: 3 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(true);
    }
    const first = refused(await guard.reserve({ caller: caller(1), kind: 'single', users: 1 }));
    expect(first).toMatchObject({ scope: 'caller', kind: 'single', limit: 3, used: 3, requested: 1 });
    // Counted in the 20:55 bucket, which leaves the window when its end (21:00) is 60 minutes old.
    expect(first.resetsAt).toBe('2026-11-27T22:00:00.000Z');
    expect(first.retryAfterSeconds).toBe(3630); // 3,629.75 s, rounded up
    expect(first.setting).toBe('CALLER_MAX_USERS_PER_HOUR');

    const rendered = problemResponse(rateLimitProblem(first));
    expect(rendered.status).toBe(429);
    expect(rendered.headers).toEqual({ 'content-type': 'application/problem+json', 'Retry-After': '3630' });
    const body = JSON.parse(rendered.body) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'urn:mfa-reset:problem:rate-limited', status: 429, scope: 'caller', limit: 3 });
    expect(body.detail).toContain('CALLER_MAX_USERS_PER_HOUR');
    expect(body.detail).toContain('in the last 60 minutes');
    expect(body.detail).not.toMatch(/clock hour|per hour/);

    // The flood goes on: still refused, but the alert fired once for this counter.
    for (let i = 0; i < 5; i++) {
      expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(false);
    }
    const alerts = telemetry.eventsNamed(telemetryEvents.callerQuotaExceeded);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.properties).toMatchObject({ kind: 'single', limit: 3, callerAppId: caller(1).appId });
    expect(telemetry.total('mfa_reset.submissions.refused', { scope: 'caller' })).toBe(6);

    // Another caller is not affected by the first one's quota.
    expect((await guard.reserve({ caller: caller(2), kind: 'single', users: 1 })).allowed).toBe(true);
  });

  it('refuses the full limit again one minute later across an hour boundary, and accepts it 60 minutes on', async () => {
    const clock = testClock('2026-11-27T10:59:30Z');
    const { guard, counters } = guardOn(newTable(), {}, clock.now);
    const bulk = () => guard.reserve({ caller: caller(1), kind: 'bulk', users: 2_000 });
    expect((await bulk()).allowed).toBe(true);

    // A clock-hour window would have started afresh at 11:00.
    clock.set('2026-11-27T11:00:30Z');
    const second = refused(await bulk());
    expect(second).toMatchObject({ scope: 'caller', kind: 'bulk', limit: 2_000, used: 2_000, requested: 2_000 });
    expect(second.setting).toBe('CALLER_MAX_BULK_USERS_PER_HOUR');
    // The first burst's bucket (10:55–11:00) leaves the window at 12:00: 59.5 minutes from now.
    expect(second.resetsAt).toBe('2026-11-27T12:00:00.000Z');
    expect(second.retryAfterSeconds).toBe(3570);
    expect(await counters.read(callerCounterRow(caller(1), 'bulk'), clock.now())).toBe(2_000);

    clock.set('2026-11-27T11:59:59Z');
    expect(refused(await bulk()).retryAfterSeconds).toBe(1);
    clock.set('2026-11-27T12:00:30Z');
    expect(await counters.read(callerCounterRow(caller(1), 'bulk'), clock.now())).toBe(0);
    expect((await bulk()).allowed).toBe(true);
    expect(await counters.read(tenantCounterRow('bulk'), clock.now())).toBe(2_000);
  });

  it('says when enough of the oldest users have left the window for this request to fit', async () => {
    const clock = testClock('2026-11-27T10:00:00Z');
    const { guard } = guardOn(newTable(), { callerSinglePerHour: 5 }, clock.now);
    const reserve = (users: number) => guard.reserve({ caller: caller(1), kind: 'single', users });
    expect((await reserve(3)).allowed).toBe(true); // bucket 10:00, leaves at 11:05
    clock.set('2026-11-27T10:30:00Z');
    expect((await reserve(2)).allowed).toBe(true); // bucket 10:30, leaves at 11:35

    clock.set('2026-11-27T10:45:00Z');
    expect(refused(await reserve(1))).toMatchObject({ used: 5, resetsAt: '2026-11-27T11:05:00.000Z' });
    expect(refused(await reserve(3))).toMatchObject({ used: 5, resetsAt: '2026-11-27T11:05:00.000Z' });
    expect(refused(await reserve(4))).toMatchObject({ used: 5, resetsAt: '2026-11-27T11:35:00.000Z' });
    expect(refused(await reserve(4)).retryAfterSeconds).toBe(50 * 60);

    clock.set('2026-11-27T11:05:00Z');
    expect(refused(await reserve(4))).toMatchObject({ used: 2, resetsAt: '2026-11-27T11:35:00.000Z' });
    expect((await reserve(3)).allowed).toBe(true);
  });

  it('opens the tenant-wide breaker when callers together exceed it, and lets work in once their users leave the window', async () => {
    const clock = testClock('2026-11-27T10:15:00Z');
    const { guard, telemetry } = guardOn(newTable(), { callerSinglePerHour: 10, tenantSinglePerHour: 5 }, clock.now);
    const decisions: GuardDecision[] = [];
    for (let n = 1; n <= 7; n++) decisions.push(await guard.reserve({ caller: caller(n), kind: 'single', users: 1 }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    const refusal = refused(decisions[5]);
    expect(refusal).toMatchObject({ scope: 'tenant', limit: 5, used: 5, setting: 'TENANT_MAX_USERS_PER_HOUR' });
    expect(refusal.resetsAt).toBe('2026-11-27T11:20:00.000Z');
    expect(refusal.retryAfterSeconds).toBe(65 * 60);
    // The guard counts; the alert is the latch's (resets-submit.ts opens it once per trip: test/e2e/breaker.test.ts).
    expect(telemetry.eventsNamed(telemetryEvents.circuitBreakerOpened)).toHaveLength(0);
    expect(rateLimitProblem(refusal).title).toMatch(/circuit breaker/i);

    // Past the clock hour the breaker still holds: the users of 10:15 are still in the window.
    clock.set('2026-11-27T11:00:01Z');
    expect(refused(await guard.reserve({ caller: caller(6), kind: 'single', users: 1 })).scope).toBe('tenant');
    clock.set('2026-11-27T11:20:00Z');
    expect((await guard.reserve({ caller: caller(6), kind: 'single', users: 1 })).allowed).toBe(true);
  });

  it('names the counter that keeps the request out longest when both are over', async () => {
    const clock = testClock('2026-11-27T10:00:00Z');
    const { guard } = guardOn(newTable(), { callerSinglePerHour: 7, tenantSinglePerHour: 6 }, clock.now);
    const reserve = (users: number) => guard.reserve({ caller: caller(1), kind: 'single', users });
    expect((await reserve(1)).allowed).toBe(true); // bucket 10:00, leaves at 11:05
    clock.set('2026-11-27T10:30:00Z');
    expect((await reserve(5)).allowed).toBe(true); // bucket 10:30, leaves at 11:35

    // 2 more: the caller quota (7) has room at 11:05, the tenant breaker (6) only at 11:35. The answer is 11:35.
    clock.set('2026-11-27T10:40:00Z');
    expect(refused(await reserve(2))).toMatchObject({
      scope: 'tenant',
      limit: 6,
      used: 6,
      resetsAt: '2026-11-27T11:35:00.000Z',
    });
    clock.set('2026-11-27T11:05:00Z');
    expect(refused(await reserve(2))).toMatchObject({ scope: 'tenant', used: 5 });
    clock.set('2026-11-27T11:35:00Z');
    expect((await reserve(2)).allowed).toBe(true);
  });

  it('counts bulk users apart from single ones: a 2,000-user campaign passes, a second one in 60 minutes does not', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const { guard, counters } = guardOn(newTable(), {}, () => now);
    expect((await guard.reserve({ caller: caller(1), kind: 'bulk', users: 2_000 })).allowed).toBe(true);
    // Single-user requests from the same caller are untouched by its bulk upload.
    expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(true);
    const second = refused(await guard.reserve({ caller: caller(1), kind: 'bulk', users: 2 }));
    expect(second).toMatchObject({ scope: 'caller', kind: 'bulk', setting: 'CALLER_MAX_BULK_USERS_PER_HOUR' });

    // Nothing of a refused request is counted anywhere (all-or-nothing across caller and tenant).
    expect(await counters.read(callerCounterRow(caller(1), 'bulk'), now)).toBe(2_000);
    expect(await counters.read(tenantCounterRow('bulk'), now)).toBe(2_000);
    expect(await counters.read(tenantCounterRow('single'), now)).toBe(1);
  });

  it('refuses a full-size CSV at the defaults, saying to split it and which setting the operator raises', async () => {
    const maxBulkRows = loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      ITEM_SEAL_KEY: newSealKey(),
      MfaAudit: 'UseDevelopmentStorage=true',
      MFA_RESET_FUNCTIONS: 'worker',
    }).limits.maxBulkRows;
    expect(maxBulkRows).toBe(50_000);
    const now = new Date('2026-11-27T12:00:00Z');
    const { guard, counters } = guardOn(newTable(), {}, () => now);
    const r = refused(await guard.reserve({ caller: caller(1), kind: 'bulk', users: maxBulkRows }));
    expect(r).toMatchObject({ scope: 'caller', limit: 2_000, used: 0, setting: 'CALLER_MAX_BULK_USERS_PER_HOUR' });
    // It never fits, however long the caller waits: a full window, so an automatic retry does not hammer.
    expect(r.retryAfterSeconds).toBe(3600);
    const detail = rateLimitProblem(r).detail;
    expect(detail).toMatch(/asks for 50000 users, more than the 2000 bulk resets allowed for this caller/);
    expect(detail).toMatch(/split it .*or ask the operator to raise CALLER_MAX_BULK_USERS_PER_HOUR/);
    expect(await counters.read(tenantCounterRow('bulk'), now)).toBe(0);

    // With the caller quota raised, the tenant-wide breaker names its own setting.
    const raised = guardOn(newTable(), { callerBulkPerHour: 50_000 }, () => now).guard;
    const tenant = refused(await raised.reserve({ caller: caller(1), kind: 'bulk', users: maxBulkRows }));
    expect(tenant).toMatchObject({ scope: 'tenant', limit: 10_000, setting: 'TENANT_MAX_BULK_USERS_PER_HOUR' });
    expect(rateLimitProblem(tenant).detail).toContain('raise TENANT_MAX_BULK_USERS_PER_HOUR');
  });

  it('gives a released reservation back (an idempotent retry or a failed store costs no quota)', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const { guard, counters } = guardOn(newTable(), { callerSinglePerHour: 1 }, () => now);
    const first = await guard.reserve({ caller: caller(1), kind: 'single', users: 1 });
    if (!first.allowed) throw new Error('expected a reservation');
    expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(false);
    await first.release();
    await first.release(); // idempotent
    expect(await counters.read(callerCounterRow(caller(1), 'single'), now)).toBe(0);
    expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(true);
  });

  it('gives released users back to the bucket they were added to, not the current one', async () => {
    const clock = testClock('2026-11-27T10:59:30Z');
    const { guard, counters } = guardOn(newTable(), { callerBulkPerHour: 8 }, clock.now);
    const first = await guard.reserve({ caller: caller(1), kind: 'bulk', users: 3 }); // bucket 10:55
    if (!first.allowed) throw new Error('expected a reservation');
    clock.set('2026-11-27T11:01:00Z');
    expect((await guard.reserve({ caller: caller(1), kind: 'bulk', users: 5 })).allowed).toBe(true); // bucket 11:00
    expect((await guard.reserve({ caller: caller(1), kind: 'bulk', users: 1 })).allowed).toBe(false);

    clock.set('2026-11-27T11:02:00Z');
    await first.release();
    const row = callerCounterRow(caller(1), 'bulk');
    expect(await counters.read(row, clock.now())).toBe(5);
    // Once the 10:55 bucket has left the window, the 11:00 bucket still holds all 5: nothing was taken from it.
    expect(await counters.read(row, new Date('2026-11-27T12:01:00Z'))).toBe(5);
    expect(await counters.read(tenantCounterRow('bulk'), new Date('2026-11-27T12:01:00Z'))).toBe(5);
    expect((await guard.reserve({ caller: caller(1), kind: 'bulk', users: 3 })).allowed).toBe(true);
  });

  it('releases nothing once the reservation has left the window (never below 0)', async () => {
    const clock = testClock('2026-11-27T10:00:00Z');
    const { guard, counters } = guardOn(newTable(), { callerSinglePerHour: 10 }, clock.now);
    const old = await guard.reserve({ caller: caller(1), kind: 'single', users: 3 });
    if (!old.allowed) throw new Error('expected a reservation');
    clock.set('2026-11-27T11:10:00Z');
    expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 4 })).allowed).toBe(true);
    await old.release();
    expect(await counters.read(callerCounterRow(caller(1), 'single'), clock.now())).toBe(4);
  });

  it('alerts once per counter and 60 minutes while a flood goes on', async () => {
    const clock = testClock('2026-11-27T10:00:00Z');
    const { guard, telemetry } = guardOn(newTable(), { callerSinglePerHour: 2 }, clock.now);
    const flood = async (times: number) => {
      for (let i = 0; i < times; i++) await guard.reserve({ caller: caller(1), kind: 'single', users: 1 });
    };
    const alerts = () => telemetry.eventsNamed(telemetryEvents.callerQuotaExceeded).length;
    await flood(4); // 2 accepted, 2 refused: the trip
    expect(alerts()).toBe(1);
    clock.set('2026-11-27T10:59:59Z');
    await flood(3);
    expect(alerts()).toBe(1);
    // 60 minutes after the alert the flood still goes on (the 10:00 users count until 11:05): one more alert.
    clock.set('2026-11-27T11:00:00Z');
    await flood(3);
    expect(alerts()).toBe(2);
    expect(telemetry.total('mfa_reset.submissions.refused', { scope: 'caller' })).toBe(8);
  });

  it('treats 0 as "no limit" when an operator sets it explicitly', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const { guard } = guardOn(newTable(), { callerSinglePerHour: 0, tenantSinglePerHour: 0 }, () => now);
    for (let i = 0; i < 5; i++) {
      expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 100 })).allowed).toBe(true);
    }
  });

  it('holds exactly under concurrent submissions from several instances (ETag-conditional increments)', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const table = newTable();
    const telemetry = new RecordingTelemetry();
    // Four "instances", each with its own client and guard, racing on one caller and the tenant counters.
    const instances = Array.from({ length: 4 }, () =>
      guardOn(
        TableClient.fromConnectionString(azurite.connectionString, table.tableName, { allowInsecureConnection: true }),
        { callerSinglePerHour: 15, tenantSinglePerHour: 1000 },
        () => now,
        telemetry,
      ),
    );
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        instances[i % instances.length].guard.reserve({ caller: caller(1), kind: 'single', users: 1 }),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(15);
    expect(decisions.filter((d) => !d.allowed)).toHaveLength(25);
    const counters = instances[0].counters;
    expect(await counters.read(callerCounterRow(caller(1), 'single'), now)).toBe(15);
    expect(await counters.read(tenantCounterRow('single'), now)).toBe(15);
    expect(telemetry.eventsNamed(telemetryEvents.callerQuotaExceeded)).toHaveLength(1);
  });

  it('never over-admits when racing reservations straddle a bucket boundary and releases run alongside', async () => {
    const table = newTable();
    const client = () =>
      TableClient.fromConnectionString(azurite.connectionString, table.tableName, { allowInsecureConnection: true });
    // Half the instances see 10:04:59, half 10:05:00: two buckets of one window, one row.
    const early = guardOn(client(), { callerBulkPerHour: 20 }, () => new Date('2026-11-27T10:04:59Z'));
    const late = guardOn(client(), { callerBulkPerHour: 20 }, () => new Date('2026-11-27T10:05:00Z'));
    const held = await early.guard.reserve({ caller: caller(1), kind: 'bulk', users: 4 });
    if (!held.allowed) throw new Error('expected a reservation');
    const [decisions] = await Promise.all([
      Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          (i % 2 ? late : early).guard.reserve({ caller: caller(1), kind: 'bulk', users: 1 }),
        ),
      ),
      held.release(),
    ]);
    const admitted = decisions.filter((d) => d.allowed).length;
    // 20 fit once the 4 are back; at least 16 whatever the order, never more than 20.
    expect(admitted).toBeGreaterThanOrEqual(16);
    expect(admitted).toBeLessThanOrEqual(20);
    expect(await early.counters.read(callerCounterRow(caller(1), 'bulk'), new Date('2026-11-27T10:05:00Z'))).toBe(
      admitted,
    );
  });
});
