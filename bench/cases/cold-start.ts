// Cold start: how long a fresh Node process takes to import the deployed entry point with the Functions runtime
// absent (@azure/functions falls back to test mode, registrations are skipped after the module graph is loaded and
// the composition root has run). Compared side by side: tsc output (dist/src/main.js) and the esbuild bundle
// (dist/bundle/main.js), alternating fresh processes so that machine noise hits both alike.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleMain } from '../../scripts/bundle.js';
import type { BundleResult } from '../../scripts/bundle.js';
import { startAzurite } from '../../dev/stack/azurite.js';
import type { MachineInfo } from '../support/machine.js';
import { machineInfo } from '../support/machine.js';
import { report } from '../support/report.js';
import { median, percentile, round } from '../support/stats.js';
import { newSealKey } from '../../dev/stack/seal-key.js';

/** One seal key for every host of this process: an intake host's work must be sealed for a worker host. */
const sealKey = newSealKey();

export interface ColdStartOptions {
  readonly runs: number;
  /** Also set APPLICATIONINSIGHTS_CONNECTION_STRING, as in Azure (the telemetry distro is then loaded at start). */
  readonly telemetry: boolean;
  readonly command: string;
}

const variants = ['unbundled', 'bundled', 'bundled+minified'] as const;
type Variant = (typeof variants)[number];

interface Sample {
  /** From the first line of the child's code to the end of `await import(entry)`. */
  readonly importMs: number;
  /** From the child's time origin (process start) to the end of the import. */
  readonly sinceStartMs: number;
  /** Parent clock: spawn to exit. */
  readonly wallMs: number;
}

/**
 * Settings a deployed app has. Storage is a real (local) Azurite: the composition root creates the table and queues
 * at start-up, so that round trip is part of a cold start too. Graph and Entra are never contacted during the import.
 */
function childEnv(storage: string, telemetry: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // The deployed default; MFA_RESET_FUNCTIONS=intake|worker measures a split deployment's app.
    MFA_RESET_FUNCTIONS: process.env.MFA_RESET_FUNCTIONS ?? 'all',
    AzureWebJobsStorage: storage,
    ITEM_SEAL_KEY: sealKey,
    MfaAudit: storage, // the worker's audit record (the composition root builds its client; nothing is written)
    GRAPH_BASE_URL: 'https://graph.microsoft.com',
    AUTH_TENANT_ID: '11111111-2222-4333-8444-555555555555',
    AUTH_AUDIENCE: '66666666-7777-4888-9999-000000000000',
  };
  if (telemetry) {
    env.APPLICATIONINSIGHTS_CONNECTION_STRING =
      'InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://127.0.0.1:9/';
  }
  return env;
}

const childScript = (entryUrl: string): string => `
const t0 = performance.now();
await import(${JSON.stringify(entryUrl)});
const t1 = performance.now();
process.stdout.write('\\n@@cold-start ' + JSON.stringify({ importMs: t1 - t0, sinceStartMs: t1 }) + '\\n');
process.exit(0);
`;

function runOnce(entry: string, env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript(pathToFileURL(entry).href)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const line = out.split('\n').find((l) => l.startsWith('@@cold-start '));
      if (code !== 0 || !line) {
        reject(new Error(`importing ${entry} failed (exit ${code}): ${err.trim().slice(-2000) || out.slice(-2000)}`));
        return;
      }
      const parsed = JSON.parse(line.slice('@@cold-start '.length)) as { importMs: number; sinceStartMs: number };
      resolve({ ...parsed, wallMs });
    });
  });
}

function summary(samples: readonly Sample[]): Record<string, number> {
  const pick = (k: keyof Sample): number[] => samples.map((s) => s[k]);
  return {
    importMedianMs: round(median(pick('importMs')), 1),
    importP90Ms: round(percentile(pick('importMs'), 90), 1),
    sinceProcessStartMedianMs: round(median(pick('sinceStartMs')), 1),
    spawnToExitMedianMs: round(median(pick('wallMs')), 1),
  };
}

export async function coldStart(options: ColdStartOptions): Promise<void> {
  const machine = machineInfo();
  // The tsc output this bench was compiled with (dist/bench/cases → dist/src/main.js), and a bundle next to it.
  const unbundled = path.resolve(import.meta.dirname, '../../src/main.js');
  if (!existsSync(unbundled)) throw new Error(`${unbundled} is missing: run \`npm run build\` first`);
  const bundle = await bundleMain({ outdir: path.resolve(import.meta.dirname, '../../bundle') });
  // A minified variant too (not shipped unless it wins clearly: stack traces in logs are worth something).
  const minified = await bundleMain({
    outdir: path.resolve(import.meta.dirname, '../../../.local/bench/bundle-min'),
    minify: true,
  });
  const entries = { unbundled, bundled: bundle.mainFile, 'bundled+minified': minified.mainFile };
  const azurite = await startAzurite();
  try {
    await measureBoth(
      entries,
      childEnv(azurite.connectionString, options.telemetry),
      options,
      machine,
      bundle,
      minified,
    );
  } finally {
    await azurite.stop();
  }
}

async function measureBoth(
  entries: Readonly<Record<Variant, string>>,
  env: NodeJS.ProcessEnv,
  options: ColdStartOptions,
  machine: MachineInfo,
  bundle: BundleResult,
  minified: BundleResult,
): Promise<void> {
  // One warm-up each (file-system cache), not counted.
  for (const name of variants) await runOnce(entries[name], env);
  const samples: Record<Variant, Sample[]> = { unbundled: [], bundled: [], 'bundled+minified': [] };
  for (let i = 0; i < options.runs; i++) {
    // Rotate the order so that no variant always runs right after another.
    const order = variants.map((_, k) => variants[(i + k) % variants.length]);
    for (const name of order) samples[name].push(await runOnce(entries[name], env));
  }
  const u = summary(samples.unbundled);
  const b = summary(samples.bundled);
  const m = summary(samples['bundled+minified']);
  await report({
    bench: 'cold-start',
    command: options.command,
    machine,
    settings: {
      runs: options.runs,
      telemetry: options.telemetry,
      bundleBytes: bundle.bytes,
      bundleFiles: bundle.files,
      minifiedBytes: minified.bytes,
    },
    figures: {
      unbundled: u,
      bundled: b,
      'bundled+minified': m,
      'bundled/unbundled import (median)': round(b.importMedianMs / u.importMedianMs, 3),
      'minified/unbundled import (median)': round(m.importMedianMs / u.importMedianMs, 3),
      fastest: [...variants].sort((x, y) => summary(samples[x]).importMedianMs - summary(samples[y]).importMedianMs)[0],
    },
  });
}
