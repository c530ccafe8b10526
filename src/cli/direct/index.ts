// The --direct mode of `mfa-reset reset` and `mfa-reset bulk`: a command checks its input with the intake's
// validators as usual, then hands the validated request here instead of sending it to the service.
import type { ParsedRequest } from '../../lib/requests/index.js';
import { DirectSettingsError, directSettingsFrom } from './direct-settings.js';
import { runDirect, type DirectExitCode, type DirectHooks, type DirectIo } from './run-direct.js';

export { directHelp, directOptions } from './direct-flags.js';
export { directSettingsFrom, type DirectSettings } from './direct-settings.js';
export {
  runDirect,
  userLine,
  NO_AUDIT_NOTICE,
  type DirectHooks,
  type DirectIo,
  type DirectSummary,
} from './run-direct.js';
export type { DirectCounts, DirectProgress } from './direct-progress.js';
export type { UserRun } from './run-users.js';
export { ADMIN_ROLE_MISSING } from './delegated-refusals.js';

/** Runs a validated request directly: the settings from the command's flags and the environment; the exit code. */
export async function directCommand(
  request: ParsedRequest,
  values: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string | undefined>>,
  io: DirectIo,
  hooks: DirectHooks = {},
): Promise<DirectExitCode> {
  let settings;
  try {
    settings = directSettingsFrom(values, env);
  } catch (error) {
    if (!(error instanceof DirectSettingsError)) throw error;
    io.note(`mfa-reset --direct: ${error.message.split('\n').join('\n  ')}`);
    return 2;
  }
  return (await runDirect(request, settings, io, hooks)).exitCode;
}
