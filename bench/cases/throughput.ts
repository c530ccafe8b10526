// Issue 7 §1: bulk reset through the local stack under the documented throttle profile. The ceiling is Graph's write
// quota, 3,000 writes per 150 s per app and tenant; timeScale compresses every throttle window and Retry-After, and
// the bench scales the emulator's per-call latency by the same factor (100 ms at real speed), so the run is the real
// arithmetic played faster. CPU work per item (app, Azurite, emulator) is NOT scaled: at timeScale 0.25 the machine
// must do four times the real per-second work, which makes the setting harder, not easier. GRAPH_MAX_WAIT_SECONDS
// (30 s) is scaled as well. The default timeScale is 1: the real windows, about 2.5 minutes each.
// Issue 16: `--workers N` runs N app processes on the one tenant (as N Flex Consumption instances), twice: with the
// shared write budget on, then off; `--write-shape token-bucket` makes the emulator's write limit a bucket of 300
// refilled over 15 s instead of the fixed window.
import { demoTenant } from '../../dev/graph-emulator/index.js';
import { benchTenant, methodStats } from '../fixtures/bench-tenant.js';
import { isGraphPath, isWrite } from '../support/emulator-control.js';
import { startLocalStack } from '../support/local-stack.js';
import type { StatusBody } from '../support/local-stack.js';
import { machineInfo } from '../support/machine.js';
import { report } from '../support/report.js';
import { round } from '../support/stats.js';
import { appWriteBucket, appWriteLimit, bucketWindows, writeWindows } from '../support/write-windows.js';

export type WriteShape = 'fixed-window' | 'token-bucket';

export interface ThroughputOptions {
  readonly users: number;
  readonly timeScale: number;
  readonly seed: number;
  readonly command: string;
  /** Emulator latency per Graph call at real speed (scaled by timeScale). */
  readonly latencyMs?: number;
  /** Worker processes on the one tenant (default 1). Above 1 the run is made twice: shared write budget on, then off. */
  readonly workers?: number;
  /** Shape of the emulator's app write limit (default the fixed window). */
  readonly writeShape?: WriteShape;
  /** false: GRAPH_WRITE_PACING=false (writes go as fast as the concurrency limit lets them). */
  readonly pacing?: boolean;
}

interface Variant {
  readonly label: string;
  readonly settings: Readonly<Record<string, string>>;
}

/** Counts per outcome from a status body, whatever the exact nesting (counts / summary). */
export function outcomeCounts(body: StatusBody): Record<string, number> {
  const raw = (body.counts ??
    (body as { summary?: { counts?: Record<string, number> } }).summary?.counts ??
    {}) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'number') out[k] = v;
  return out;
}

export function csvFor(users: readonly string[]): string {
  return (
    ['user,ticket,reason', ...users.map((u, i) => `${u},INC${String(1_000_000 + i)},lost_device`)].join('\n') + '\n'
  );
}

export async function throughput(options: ThroughputOptions): Promise<void> {
  const machine = machineInfo();
  const workers = options.workers ?? 1;
  const shape = options.writeShape ?? 'fixed-window';
  const pacing: Record<string, string> = options.pacing === false ? { GRAPH_WRITE_PACING: 'false' } : {};
  // Side by side in one run: with several workers, the same population with the shared record on and off.
  const variants: Variant[] =
    workers > 1
      ? [
          { label: 'shared budget on', settings: { ...pacing, WRITE_BUDGET_SHARED: 'true' } },
          { label: 'shared budget off', settings: { ...pacing, WRITE_BUDGET_SHARED: 'false' } },
        ]
      : [{ label: 'single process', settings: { ...pacing } }];
  const figures: Record<string, unknown> = {};
  const targets: Record<string, boolean> = {};
  // The targets: ≥ 0.95 of the ceiling and ≤ 1 % answered 429, except 4 workers on the fixed window
  // (≥ 0.90 / ≤ 2 %); the targets apply to the run with the shared budget on.
  const relaxed = workers > 1 && shape === 'fixed-window';
  const minUtilisation = relaxed ? 0.9 : 0.95;
  const max429 = relaxed ? 0.02 : 0.01;
  let settings: Record<string, unknown> = {};
  for (const [index, variant] of variants.entries()) {
    const result = await runOnce(options, workers, shape, variant);
    settings = result.settings;
    figures[variant.label] = result.figures;
    if (index === 0) {
      targets[`utilisation ≥ ${minUtilisation}`] =
        result.utilisation !== undefined && result.utilisation >= minUtilisation;
      targets[`429 share ≤ ${max429 * 100} %`] = result.throttledShare <= max429;
      targets['0 failed'] = result.failedOrPoisoned === 0;
    }
  }
  await report({
    bench: 'throughput',
    command: options.command,
    machine,
    settings: { ...settings, workers, writeShape: shape, pacing: options.pacing !== false },
    figures,
    targets,
  });
}

async function runOnce(options: ThroughputOptions, workers: number, shape: WriteShape, variant: Variant) {
  const fixture = benchTenant(demoTenant(), { users: options.users, seed: options.seed });
  const latencyMs = Math.max(1, Math.round((options.latencyMs ?? 100) * options.timeScale));
  // The in-process wait budget is a time too: scale it with the windows so that the choice between waiting and
  // deferring to the queue is the one the real service makes at real speed.
  const maxWaitSeconds = Math.max(1, Math.round(30 * options.timeScale));
  const stack = await startLocalStack({
    fixture,
    appProcesses: workers,
    settings: { GRAPH_MAX_WAIT_SECONDS: String(maxWaitSeconds), ...variant.settings },
  });
  try {
    const { control } = stack.emulator;
    await control.setThrottle('documented', options.timeScale, shape);
    await control.setLatency(latencyMs);
    const since = (await control.requests()).lastSeq;
    const t0 = performance.now();
    const submitted = await stack.submit(csvFor(fixture.users.map((u) => u.userPrincipalName)), 'text/csv');
    if (submitted.status !== 202) throw new Error(`POST /api/resets answered ${submitted.status}: ${submitted.text}`);
    let last: StatusBody | undefined;
    const deadline = Date.now() + Math.max(600_000, options.users * 1000);
    for (;;) {
      const answer = await stack.status(submitted.id);
      last = answer.body;
      if (answer.status === 200) break;
      if (answer.status !== 202) throw new Error(`GET status answered ${answer.status}`);
      if (Date.now() > deadline)
        throw new Error(`not complete after the deadline: ${JSON.stringify(outcomeCounts(last))}`);
      // As a caller should: come back after Retry-After (each status read costs the app and the table some work).
      await new Promise((r) => setTimeout(r, (answer.retryAfterS ?? 5) * 1000));
    }
    const wallMs = performance.now() - t0;
    const log = (await control.requests(since)).value.filter((r) => isGraphPath(r.path));
    const windows =
      shape === 'token-bucket' ? bucketWindows(log, options.timeScale) : writeWindows(log, options.timeScale);
    const throttled = log.filter((r) => r.status === 429).length;
    const throttledWrites = log.filter((r) => r.status === 429 && isWrite(r.method)).length;
    const counts = outcomeCounts(last);
    const poisonQueue = stack.queues.getQueueClient('reset-items-poison');
    const poisoned = (await poisonQueue.getProperties()).approximateMessagesCount ?? 0;
    const failed = counts.failed ?? 0;
    const utilisation = windows.utilisation;
    const throttledShare = throttled / log.length;
    const writesPerSecond = windows.acceptedWrites / ((windows.lastWriteAt - windows.firstWriteAt) / 1000);
    const ceilingPerSecond =
      shape === 'token-bucket'
        ? appWriteBucket.capacity / (windows.windowMs / 1000)
        : appWriteLimit.writes / (windows.windowMs / 1000);
    return {
      utilisation,
      throttledShare,
      failedOrPoisoned: failed + poisoned,
      settings: {
        users: options.users,
        fixture: methodStats(fixture),
        throttle: 'documented',
        timeScale: options.timeScale,
        windowS: windows.windowMs / 1000,
        ceilingWritesPerS: round(ceilingPerSecond, 1),
        latencyMsPerCall: latencyMs,
        graphMaxWaitSeconds: maxWaitSeconds,
        graphMaxConcurrency: 16,
      },
      figures: {
        settings: variant.settings,
        wallS: round(wallMs / 1000, 1),
        graphRequests: log.length,
        acceptedWrites: windows.acceptedWrites,
        writesPerWindow: windows.writesPerWindow,
        'writes per second (first→last write)': round(writesPerSecond, 1),
        'utilisation (complete windows) = writes ÷ what the limit admits':
          utilisation === undefined ? 'n/a' : round(utilisation, 3),
        'raw rate ÷ ceiling (burst-inflated)': round(windows.rawRateRatio, 3),
        throttled429: throttled,
        'of which writes': throttledWrites,
        'throttled share': round(throttledShare, 4),
        outcomes: counts,
        failed,
        poisonedMessages: poisoned,
      },
    };
  } finally {
    await stack.stop();
  }
}
