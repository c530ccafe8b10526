// Child-process entry for benchmarks: the Functions app on the local host harness, configured from the environment
// exactly as dev/harness/cli.ts is, plus what a benchmark needs:
//   BENCH_SKIP_FUNCTIONS   comma-separated function names not to run (e.g. the reset-items worker, so that the intake
//                          benchmark can count item messages as they pile up on the queue)
//   BENCH_WAKE_ON_SEND     'false': queue listeners only poll, as the real host does for SDK sends (default true)
// It prints `@@stack <url>` when ready and, on SIGTERM, `@@maxrss <bytes>` (peak resident memory) before it exits.
import path from 'node:path';
import { startAppHarness } from '../../dev/harness/app-harness.js';
import { jsonLineLog } from '../../dev/harness/log.js';
import type { HarnessLogLevel } from '../../dev/harness/log.js';
import type { FunctionRegistrar } from '../../src/app/function-registrar.js';

const skip = new Set(
  (process.env.BENCH_SKIP_FUNCTIONS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Passes registrations through, except those named in BENCH_SKIP_FUNCTIONS. */
function skipping(inner: FunctionRegistrar): FunctionRegistrar {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (name: string, ...rest: unknown[]) =>
        skip.has(name) ? undefined : (value as (...args: unknown[]) => unknown).call(target, name, ...rest);
    },
  });
}

const log = jsonLineLog(
  (line) => process.stderr.write(line),
  (process.env.HARNESS_LOG_LEVEL as HarnessLogLevel | undefined) ?? 'warn',
);

const { harness } = await startAppHarness({
  registrar: skipping,
  port: 0,
  // The repository's host.json (the bench runs from the repository root, whichever folder it was compiled to).
  hostJsonPath: path.resolve('host.json'),
  log,
  wakeOnAppSends: process.env.BENCH_WAKE_ON_SEND !== 'false',
});
process.stdout.write(`@@stack ${harness.url}\n`);

const stop = (): void => {
  void harness.stop().finally(() => {
    process.stdout.write(`@@maxrss ${process.resourceUsage().maxRSS * 1024}\n`, () => process.exit(0));
  });
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
