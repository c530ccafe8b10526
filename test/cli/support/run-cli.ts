// Runs the built `mfa-reset` (dist/src/cli/main.js, from `npm run build`) as a child process, as a person or a script
// would: stdout and stderr are pipes (not a terminal), so the CLI prints plain progress lines.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));

export interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number>;
}

/** The environment of a run: the test process's (NODE_EXTRA_CA_CERTS for the emulator) with these overrides. */
export function cliEnv(overrides: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The test process points @azure/identity's managed identity at the emulator; a CLI must not pick that up.
  for (const name of ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MFA_RESET_API', 'MFA_RESET_AUDIENCE', 'MFA_RESET_TOKEN'])
    delete env[name];
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): CliRun {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(args, env);
  run.child.stdin.end();
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
