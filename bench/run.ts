// Benchmark runner: `npm run bench -- <name> [flags]`, or `npm run bench -- all`. Benchmarks are not tests: they
// measure, print ratios measured side by side in one run, and append a JSON record to .local/bench/results.jsonl.
//   throughput   bulk reset through the local stack under the documented throttle profile (issue 7 §1)
//   sequential   the common reset scripts' algorithm vs our engine, same users, 100 ms latency (§2)
//   single       one reset, POST → status 200, p50/p95 and critical-path round trips (§3)
//   intake       a 50,000-row CSV: time to 202, time until every item message is queued, peak memory (§4)
//   cold-start   import time of dist/src/main.js vs the esbuild bundle, fresh processes (§5)
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const benches = ['throughput', 'sequential', 'single', 'intake', 'cold-start'] as const;
type BenchName = (typeof benches)[number];

const usage = `usage: npm run bench -- <${benches.join('|')}|all> [flags]
  --users N          throughput: users to reset (default 2000); sequential: users (default 200)
  --time-scale X     throughput: emulator throttle timeScale (default 1; 0.25: a 150 s window lasts 37.5 s)
  --workers N        throughput: worker processes on the tenant (default 1; above 1: shared budget on, then off)
  --write-shape S    throughput: the emulator's write limit, fixed-window (default) or token-bucket
  --no-pacing        throughput: GRAPH_WRITE_PACING=false
  --runs N           single: resets (default 30); cold-start: fresh processes per variant (default 10)
  --rows N           intake: CSV rows (default 50000)
  --latency-ms N     sequential/single: emulator latency per Graph call (default 100)
  --telemetry        cold-start: also set APPLICATIONINSIGHTS_CONNECTION_STRING
  --seed N           fixture seed (default 20261127)`;

export interface BenchFlags {
  readonly users?: number;
  readonly timeScale?: number;
  readonly workers?: number;
  readonly writeShape?: 'fixed-window' | 'token-bucket';
  readonly pacing: boolean;
  readonly runs?: number;
  readonly rows?: number;
  readonly latencyMs?: number;
  readonly telemetry: boolean;
  readonly seed?: number;
  readonly command: string;
}

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

function writeShapeOf(value: string | undefined): 'fixed-window' | 'token-bucket' | undefined {
  if (value === undefined || value === 'fixed-window' || value === 'token-bucket') return value;
  throw new Error('--write-shape must be fixed-window or token-bucket');
}

async function runBench(name: BenchName, flags: BenchFlags): Promise<void> {
  switch (name) {
    case 'throughput':
      return (await import('./cases/throughput.js')).throughput({
        users: flags.users ?? 2000,
        timeScale: flags.timeScale ?? 1,
        seed: flags.seed ?? 20261127,
        command: flags.command,
        ...(flags.workers ? { workers: flags.workers } : {}),
        ...(flags.writeShape ? { writeShape: flags.writeShape } : {}),
        pacing: flags.pacing,
      });
    case 'sequential':
      return (await import('./cases/sequential.js')).sequentialVsEngine({
        users: flags.users ?? 200,
        latencyMs: flags.latencyMs ?? 100,
        seed: flags.seed ?? 20261127,
        command: flags.command,
      });
    case 'single':
      return (await import('./cases/single-reset.js')).singleReset({
        runs: flags.runs ?? 30,
        latencyMs: flags.latencyMs ?? 100,
        command: flags.command,
      });
    case 'intake':
      return (await import('./cases/intake.js')).intake({ rows: flags.rows ?? 50_000, command: flags.command });
    case 'cold-start':
      return (await import('./cases/cold-start.js')).coldStart({
        runs: flags.runs ?? 10,
        telemetry: flags.telemetry,
        command: flags.command,
      });
  }
}

/**
 * TLS to the emulator needs its CA in NODE_EXTRA_CA_CERTS, which Node reads only at start-up: when it is missing,
 * make sure the CA exists and run this process again with it set.
 */
async function reexecWithEmulatorCa(): Promise<boolean> {
  const { ensureCa } = await import('../dev/graph-emulator/index.js');
  const { caPath } = await ensureCa();
  // Node's own root store stays in use: NODE_EXTRA_CA_CERTS only adds, so a system bundle set here is not needed.
  if (process.env.NODE_EXTRA_CA_CERTS === caPath) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exitCode = code;
  return true;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      users: { type: 'string' },
      'time-scale': { type: 'string' },
      workers: { type: 'string' },
      'write-shape': { type: 'string' },
      'no-pacing': { type: 'boolean', default: false },
      runs: { type: 'string' },
      rows: { type: 'string' },
      'latency-ms': { type: 'string' },
      telemetry: { type: 'boolean', default: false },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const name = positionals[0];
  if (values.help || !name || (name !== 'all' && !benches.includes(name as BenchName))) {
    console.log(usage);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const selected: BenchName[] = name === 'all' ? [...benches] : [name as BenchName];
  if (selected.some((b) => b !== 'cold-start') && (await reexecWithEmulatorCa())) return;
  const flags: BenchFlags = {
    users: num(values.users, 'users'),
    timeScale: num(values['time-scale'], 'time-scale'),
    workers: num(values.workers, 'workers'),
    writeShape: writeShapeOf(values['write-shape']),
    pacing: !values['no-pacing'],
    runs: num(values.runs, 'runs'),
    rows: num(values.rows, 'rows'),
    latencyMs: values['latency-ms'] === '0' ? 0 : num(values['latency-ms'], 'latency-ms'),
    telemetry: values.telemetry ?? false,
    seed: num(values.seed, 'seed'),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
  };
  for (const bench of selected) await runBench(bench, flags);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
