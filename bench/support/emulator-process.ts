// Runs the Graph emulator in its own Node process, as the local stack does, so that the emulator's work does not
// share an event loop with the code being measured. The child prints its URL; the control API does the rest.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EmulatorEnv } from '../../dev/graph-emulator/types.js';
import { EmulatorControl } from './emulator-control.js';

export interface EmulatorProcess {
  readonly url: string;
  readonly env: EmulatorEnv;
  readonly control: EmulatorControl;
  readonly pid: number;
  stop(): Promise<void>;
}

const childScript = (indexUrl: string): string => `
const { startEmulator } = await import(${JSON.stringify(indexUrl)});
const emulator = await startEmulator({ port: 0 });
process.stdout.write('@@emulator ' + emulator.url + '\\n');
const stop = () => emulator.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
`;

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  // Compiled emulator next to the compiled bench (dist/bench/support → dist/dev/graph-emulator).
  const index = path.resolve(import.meta.dirname, '../../dev/graph-emulator/index.js');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', childScript(pathToFileURL(index).href)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the emulator did not start within 30 s')), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /@@emulator (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited with ${code} before it was ready`));
    });
  });
  child.stdout!.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const control = new EmulatorControl(url);
  let env: EmulatorEnv;
  try {
    env = await control.env();
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`cannot reach the emulator at ${url} (is NODE_EXTRA_CA_CERTS its CA?): ${String(error)}`);
  }
  return {
    url,
    env,
    control,
    pid: child.pid!,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
