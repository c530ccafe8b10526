// Runs an operator script's CLI function in-process against the emulator, signed in as a fixture app through the
// real ClientSecretCredential (authority host = the emulator), and captures its output lines.
import type { RunningEmulator } from '../../dev/graph-emulator/index.js';
import type { Env, ScriptIo } from '../../scripts/lib/script-cli.js';

export interface ScriptRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

export type ScriptMain = (argv: readonly string[], env: Env, io: ScriptIo) => Promise<number>;

export interface SignIn {
  readonly appId: string;
  readonly clientSecret: string;
}

/** Arguments that point a script at the emulator and sign it in as `app` (secret through the environment). */
export function emulatorArgs(emulator: { url: string; env: RunningEmulator['env'] }, app: SignIn): string[] {
  return [
    '--graph-base-url',
    emulator.url,
    '--authority-host',
    emulator.url,
    '--tenant-id',
    emulator.env.AUTH_TENANT_ID,
    '--client-id',
    app.appId,
  ];
}

export async function runScript(main: ScriptMain, argv: readonly string[], env: Env = {}): Promise<ScriptRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}
