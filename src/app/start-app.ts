// The one start-up path: app settings → configuration (loadConfig) → dependencies (compose) → registered functions
// (registerFunctions). src/main.ts runs it against the Functions host's `app`; the dev harness, the local stack, the
// benchmarks and the tests run it against the harness's registrar, so they all start the app the same way.
import { loadConfig } from '../lib/config/index.js';
import { compose, type ComposedApp, type ComposeOptions } from './compose.js';
import type { FunctionRegistrar } from './function-registrar.js';
import { registerFunctions } from './register-functions.js';

export interface StartAppOptions {
  /** App settings to read (default process.env). */
  readonly settings?: Readonly<Record<string, string | undefined>>;
  /** Test and benchmark tuning of the composition (telemetry, queue sizes, lease length, credential environment). */
  readonly compose?: ComposeOptions;
  /** Changes the composed app before its functions are registered (tests: fault injection into the worker's store). */
  readonly adjust?: (app: ComposedApp) => ComposedApp;
}

/**
 * Loads the configuration, builds the dependencies and registers the functions; returns what it registered.
 * A bad or missing setting throws ConfigError naming every bad key, before anything is built.
 */
export async function startApp(registrar: FunctionRegistrar, options: StartAppOptions = {}): Promise<ComposedApp> {
  const composed = await compose(loadConfig(options.settings ?? process.env), options.compose);
  const app = options.adjust ? options.adjust(composed) : composed;
  registerFunctions(registrar, app);
  return app;
}
