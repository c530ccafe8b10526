// Per-caller quota and tenant-wide circuit breaker on real Azurite tables: limits hold across "instances" (separate
// clients), counters move atomically, a refusal says when to retry, and one alert event fires per counter and hour.
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
  windowAt,
  type GuardDecision,
  type GuardrailLimits,
  type Refusal,
} from '../../src/lib/guardrails/index.js';
import { problemResponse } from '../../src/lib/http/problem.js';
import type { CallerRef } from '../../src/lib/domain/index.js';
import { RecordingTelemetry, telemetryEvents } from '../../src/lib/telemetry/index.js';
import { startTestAzurite, type RunningAzurite } from '../support/azurite.js';

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

describe('submission guardrails', () => {
  it('has defaults no service desk hits and that still stop a flood (0 = off is never a default)', () => {
    const l = defaultGuardrailLimits;
    for (const v of Object.values(l)) expect(v).toBeGreaterThan(0);
    // A full-size CSV (MAX_BULK_ROWS default 50,000) passes the bulk quota; a loop of single requests does not get far.
    expect(l.callerBulkPerHour).toBeGreaterThanOrEqual(50_000);
    expect(l.tenantBulkPerHour).toBeGreaterThanOrEqual(l.callerBulkPerHour);
    expect(l.callerSinglePerHour).toBeLessThanOrEqual(500);
    expect(l.tenantSinglePerHour).toBeGreaterThanOrEqual(l.callerSinglePerHour);
  });

  it('refuses a caller past its quota with 429 problem+json, Retry-After until the hour ends, and one alert', async () => {
    const now = new Date('2026-11-27T20:59:30.250Z');
    const { guard, telemetry } = guardOn(newTable(), { callerSinglePerHour: 3 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(true);
    }
    const first = refused(await guard.reserve({ caller: caller(1), kind: 'single', users: 1 }));
    expect(first).toMatchObject({ scope: 'caller', kind: 'single', limit: 3, used: 3, requested: 1 });
    expect(first.retryAfterSeconds).toBe(30); // 29.75 s left in the hour, rounded up
    expect(first.resetsAt).toBe('2026-11-27T21:00:00.000Z');
    expect(first.setting).toBe('CALLER_MAX_USERS_PER_HOUR');

    const rendered = problemResponse(rateLimitProblem(first));
    expect(rendered.status).toBe(429);
    expect(rendered.headers).toEqual({ 'content-type': 'application/problem+json', 'Retry-After': '30' });
    const body = JSON.parse(rendered.body) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'urn:mfa-reset:problem:rate-limited', status: 429, scope: 'caller', limit: 3 });
    expect(body.detail).toContain('CALLER_MAX_USERS_PER_HOUR');

    // The flood goes on: still refused, but the alert fired once for this counter and hour.
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

  it('opens the tenant-wide breaker when callers together exceed it, and closes it in the next hour', async () => {
    let now = new Date('2026-11-27T10:15:00Z');
    const { guard, telemetry } = guardOn(newTable(), { callerSinglePerHour: 10, tenantSinglePerHour: 5 }, () => now);
    const decisions: GuardDecision[] = [];
    for (let n = 1; n <= 7; n++) decisions.push(await guard.reserve({ caller: caller(n), kind: 'single', users: 1 }));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    const refusal = refused(decisions[5]);
    expect(refusal).toMatchObject({ scope: 'tenant', limit: 5, used: 5, setting: 'TENANT_MAX_USERS_PER_HOUR' });
    expect(refusal.retryAfterSeconds).toBe(45 * 60);
    expect(telemetry.eventsNamed(telemetryEvents.circuitBreakerOpened)).toHaveLength(1);
    expect(rateLimitProblem(refusal).title).toMatch(/circuit breaker/i);

    now = new Date('2026-11-27T11:00:01Z');
    expect((await guard.reserve({ caller: caller(6), kind: 'single', users: 1 })).allowed).toBe(true);
  });

  it('counts bulk users apart from single ones: a full-size CSV passes, a second one in the hour does not', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const { guard, counters } = guardOn(newTable(), {}, () => now);
    expect((await guard.reserve({ caller: caller(1), kind: 'bulk', users: 50_000 })).allowed).toBe(true);
    // Single-user requests from the same caller are untouched by its bulk upload.
    expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(true);
    const second = refused(await guard.reserve({ caller: caller(1), kind: 'bulk', users: 2 }));
    expect(second).toMatchObject({ scope: 'caller', kind: 'bulk', setting: 'CALLER_MAX_BULK_USERS_PER_HOUR' });

    // Nothing of a refused request is counted anywhere (all-or-nothing across caller and tenant).
    const key = windowAt(now).key;
    expect(await counters.read(key, callerCounterRow(caller(1), 'bulk'))).toBe(50_000);
    expect(await counters.read(key, tenantCounterRow('bulk'))).toBe(50_000);
    expect(await counters.read(key, tenantCounterRow('single'))).toBe(1);
  });

  it('a request larger than the whole quota says so', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const { guard } = guardOn(newTable(), { callerBulkPerHour: 100 }, () => now);
    const r = refused(await guard.reserve({ caller: caller(1), kind: 'bulk', users: 101 }));
    expect(rateLimitProblem(r).detail).toMatch(/asks for 101 users, more than the 100/);
  });

  it('gives a released reservation back (an idempotent retry or a failed store costs no quota)', async () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const { guard, counters } = guardOn(newTable(), { callerSinglePerHour: 1 }, () => now);
    const first = await guard.reserve({ caller: caller(1), kind: 'single', users: 1 });
    if (!first.allowed) throw new Error('expected a reservation');
    expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(false);
    await first.release();
    await first.release(); // idempotent
    expect(await counters.read(windowAt(now).key, callerCounterRow(caller(1), 'single'))).toBe(0);
    expect((await guard.reserve({ caller: caller(1), kind: 'single', users: 1 })).allowed).toBe(true);
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
    expect(await counters.read(windowAt(now).key, callerCounterRow(caller(1), 'single'))).toBe(15);
    expect(await counters.read(windowAt(now).key, tenantCounterRow('single'))).toBe(15);
    expect(telemetry.eventsNamed(telemetryEvents.callerQuotaExceeded)).toHaveLength(1);
  });
});
