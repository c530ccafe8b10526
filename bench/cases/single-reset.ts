// Issue 7 §3: one reset end to end, as a service desk sees it: POST /api/resets for one user with 5 methods, then
// GET /api/resets/{id} until 200. Emulator latency fixed at 100 ms per Graph call, throttling off. The client polls
// every 20 ms (a real caller honours Retry-After and would see up to that much later), so the figure is the service's
// own latency. Two configurations, side by side in one run:
//   wake     the harness wakes the queue listener when the app sends (what `npm start` does)
//   polling  the listener only polls (what the Functions host does for messages sent with the SDK: up to
//            maxPollingInterval = 2 s from host.json before an idle queue is read again)
// Critical-path Graph round trips are derived from the emulator's request log: every call takes ≥ 100 ms, so a call
// that completes ≥ 90 ms after the last counted completion had to wait for something before it; calls completing
// within 90 ms of each other overlapped (ran in parallel).
import { demoTenant } from '../../dev/graph-emulator/index.js';
import { uniformTenant } from '../fixtures/bench-tenant.js';
import type { LoggedGraphRequest } from '../support/emulator-control.js';
import { isGraphPath } from '../support/emulator-control.js';
import { startLocalStack } from '../support/local-stack.js';
import { machineInfo } from '../support/machine.js';
import { report } from '../support/report.js';
import { median, percentile, round } from '../support/stats.js';

export interface SingleResetOptions {
  readonly runs: number;
  readonly latencyMs: number;
  readonly command: string;
}

interface RunSample {
  readonly totalMs: number;
  readonly acceptedMs: number;
  readonly graphCalls: number;
  readonly roundTrips: number;
  /** First Graph call answered → last Graph call answered, plus one latency (the first call's own wait). */
  readonly graphSpanMs: number;
}

const pollEveryMs = 20;

/** Sequential rounds in a set of overlapping calls that each take ≥ latencyMs (see the header). */
export function sequentialRounds(log: readonly LoggedGraphRequest[], latencyMs: number): number {
  const times = log.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
  let rounds = 0;
  let lastRound = -Infinity;
  for (const t of times) {
    if (t >= lastRound + latencyMs * 0.9) {
      rounds += 1;
      lastRound = t;
    }
  }
  return rounds;
}

async function measure(mode: 'wake' | 'polling', options: SingleResetOptions): Promise<RunSample[]> {
  const fixture = uniformTenant(demoTenant(), options.runs, 5);
  const stack = await startLocalStack({ fixture, wakeOnSend: mode === 'wake' });
  try {
    const { control } = stack.emulator;
    await control.setThrottle('off');
    await control.setLatency(options.latencyMs);
    await stack.token();
    const samples: RunSample[] = [];
    for (const user of fixture.users) {
      const since = (await control.requests()).lastSeq;
      const t0 = performance.now();
      const body = JSON.stringify({ user: user.userPrincipalName, ticket: 'INC0012345', reason: 'lost_device' });
      const accepted = await stack.submit(body, 'application/json');
      if (accepted.status !== 202) throw new Error(`POST answered ${accepted.status}: ${accepted.text}`);
      for (;;) {
        const answer = await stack.status(accepted.id);
        if (answer.status === 200) break;
        if (answer.status !== 202) throw new Error(`GET status answered ${answer.status}`);
        if (performance.now() - t0 > 60_000) throw new Error('one reset took over 60 s');
        await new Promise((r) => setTimeout(r, pollEveryMs));
      }
      const totalMs = performance.now() - t0;
      const log = (await control.requests(since)).value.filter((r) => isGraphPath(r.path));
      const times = log.map((r) => Date.parse(r.time));
      samples.push({
        totalMs,
        acceptedMs: accepted.answeredAt - t0,
        graphCalls: log.length,
        roundTrips: sequentialRounds(log, options.latencyMs),
        graphSpanMs: log.length ? Math.max(...times) - Math.min(...times) + options.latencyMs : 0,
      });
    }
    return samples;
  } finally {
    await stack.stop();
  }
}

function summarise(samples: readonly RunSample[]): Record<string, number> {
  const pick = (k: keyof RunSample): number[] => samples.map((s) => s[k]);
  return {
    p50Ms: round(median(pick('totalMs')), 0),
    p95Ms: round(percentile(pick('totalMs'), 95), 0),
    maxMs: round(Math.max(...pick('totalMs')), 0),
    accepted202P50Ms: round(median(pick('acceptedMs')), 0),
    graphSpanP50Ms: round(median(pick('graphSpanMs')), 0),
    graphCallsMedian: median(pick('graphCalls')),
    roundTripsMedian: median(pick('roundTrips')),
    roundTripsMax: Math.max(...pick('roundTrips')),
  };
}

export async function singleReset(options: SingleResetOptions): Promise<void> {
  const machine = machineInfo();
  const wake = await measure('wake', options);
  const polling = await measure('polling', options);
  await report({
    bench: 'single-reset',
    command: options.command,
    machine,
    settings: { runs: options.runs, methodsPerUser: 5, latencyMsPerCall: options.latencyMs, clientPollMs: pollEveryMs },
    figures: { wake: summarise(wake), polling: summarise(polling) },
  });
}
