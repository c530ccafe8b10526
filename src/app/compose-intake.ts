// The HTTP side (INTAKE's handler factories), wired from the shared store, queue and telemetry.
import type { AppConfig } from '../lib/config/index.js';
import type { ResetQueue } from '../lib/queue/index.js';
import type { StateStore } from '../lib/store/index.js';
import type { Telemetry } from '../lib/telemetry/index.js';
import type { HttpFunctionSpec } from './register-functions.js';

export interface IntakeShared {
  readonly store: StateStore;
  readonly queue: ResetQueue;
  readonly telemetry: Telemetry;
}

export function composeHttpFunctions(_config: AppConfig, _shared: IntakeShared): HttpFunctionSpec[] {
  throw new Error('HTTP handlers are not wired yet');
}
