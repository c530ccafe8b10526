// The app on the harness, started the one way (src/app/start-app.ts): used by the harness process (cli.ts), the
// local stack, the benchmarks' stack host and the tests. `settings` serve both the app's configuration and the
// bindings' connection names, as one Function App's settings do.
import type { FunctionRegistrar } from '../../src/app/function-registrar.js';
import type { ComposedApp } from '../../src/app/compose.js';
import { startApp, type StartAppOptions } from '../../src/app/start-app.js';
import { ConfigError } from '../../src/lib/config/index.js';
import { startHarness, type HarnessOptions, type RunningHarness } from './harness.js';
import type { HarnessLog } from './log.js';

export interface AppHarnessOptions extends Omit<HarnessOptions, 'register'> {
  /** Composition tuning and fault injection (the settings come from `settings`). */
  readonly app?: Omit<StartAppOptions, 'settings'>;
  /** Wraps the harness's registrar (the benchmarks leave some functions out). */
  readonly registrar?: (registrar: FunctionRegistrar) => FunctionRegistrar;
}

export interface RunningAppHarness {
  readonly harness: RunningHarness;
  /** The composed app the functions were registered with. */
  readonly app: ComposedApp;
}

export async function startAppHarness(options: AppHarnessOptions = {}): Promise<RunningAppHarness> {
  const { app: appOptions, registrar: wrap, ...harnessOptions } = options;
  let app: ComposedApp | undefined;
  const harness = await startHarness({
    ...harnessOptions,
    register: async (registrar) => {
      app = await startApp(wrap ? wrap(registrar) : registrar, { ...appOptions, settings: options.settings });
    },
  });
  if (!app) throw new Error('the harness did not register the app');
  return { harness, app };
}

/**
 * The harness as a process: starts the app, stops cleanly on SIGINT/SIGTERM (SIGKILL is a crash), and exits 1 with a
 * `harness_start_failed` line when it cannot start (a bad setting names every bad key).
 */
export async function serveAppProcess(options: AppHarnessOptions & { readonly log: HarnessLog }): Promise<void> {
  const { log } = options;
  try {
    const { harness } = await startAppHarness(options);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log('info', { event: 'harness_stopping', signal });
      harness.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  } catch (error) {
    log('error', {
      event: 'harness_start_failed',
      error: error instanceof ConfigError ? error.message : String(error),
    });
    process.exit(1);
  }
}
