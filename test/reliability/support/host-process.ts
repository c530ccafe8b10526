// Runs a TypeScript entry point (the local host harness) as a separate Node process, so a test can SIGKILL it as a
// crash would. The entry is bundled with esbuild (dependencies stay external, resolved from the repository's
// node_modules), which needs no prior `npm run build`. Every output line is kept for the secret-leak search.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bundles = new Map<string, Promise<string>>();

/** Bundles `entry` (a path relative to the repository) once per test process; returns the .mjs path. */
export function bundleEntry(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    bundled = (async () => {
      const outDir = path.join(repoRoot, '.local', 'harden-bundles');
      await mkdir(outDir, { recursive: true });
      const name = `${path.basename(entry, '.ts')}-${process.pid}-${createHash('sha1').update(entry).digest('hex').slice(0, 8)}.mjs`;
      const outfile = path.join(outDir, name);
      await build({
        entryPoints: [path.join(repoRoot, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        sourcemap: 'inline',
        logLevel: 'silent',
      });
      return outfile;
    })();
    bundles.set(entry, bundled);
  }
  return bundled;
}

export interface HostProcess {
  readonly pid: number;
  /** Every stdout and stderr line so far (both streams). */
  readonly lines: string[];
  /** Resolves with the first line matching `pattern` (already seen or still to come). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGKILL, as a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startHostProcess(options: {
  readonly entry: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly args?: readonly string[];
}): Promise<HostProcess> {
  const script = await bundleEntry(options.entry);
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.entry}`);
  live.add(child);
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onLine = (line: string): void => {
    lines.push(line);
    if (process.env.HARDEN_VERBOSE) process.stderr.write(`[host ${child.pid}] ${line}\n`);
    for (const w of [...waiters]) {
      const m = line.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      if (buffer) onLine(buffer);
      buffer = '';
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;

  return {
    pid: child.pid,
    lines,
    exited,
    waitForLine(pattern, timeoutMs = 30_000) {
      for (const line of lines) {
        const m = line.match(pattern);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `no output line matched ${String(pattern)} within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`,
            ),
          );
        }, timeoutMs);
        const w = {
          pattern,
          resolve: (m: RegExpMatchArray) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        waiters.push(w);
        void exited.then(({ code, signal }) => {
          if (!waiters.includes(w)) return;
          clearTimeout(timer);
          reject(
            new Error(
              `process exited (${signal ?? code}) before a line matched ${String(pattern)}:\n${lines.slice(-20).join('\n')}`,
            ),
          );
        });
      });
    },
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!gone()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await exited;
    },
  };
}
