// Bundles the deployed entry point (src/main.ts) with esbuild into dist/bundle/, so that a cold Functions worker
// reads a few files instead of resolving and compiling hundreds of modules under node_modules.
// Usage: `node dist/scripts/bundle.js [--outdir dist/bundle] [--minify]` (after `npm run build`).
// Dynamic imports stay separate chunks (splitting), so code loaded only when configured (e.g. the Azure Monitor
// distro) costs nothing at start-up when it is not used.
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface BundleOptions {
  readonly entry?: string;
  readonly outdir?: string;
  readonly minify?: boolean;
}

export interface BundleResult {
  readonly outdir: string;
  readonly mainFile: string;
  readonly bytes: number;
  readonly files: number;
}

/**
 * Provided by the Functions Node worker at run time (absent = test mode) or optional peers of @azure/functions: they
 * must stay real `require` calls.
 */
export const bundleExternals = ['@azure/functions-core', '@azure/functions-extensions-base'] as const;

// CommonJS dependencies call require/__dirname; an ESM bundle has neither unless we define them.
const esmShim = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

export async function bundleMain(options: BundleOptions = {}): Promise<BundleResult> {
  const entry = path.resolve(options.entry ?? 'src/main.ts');
  const outdir = path.resolve(options.outdir ?? 'dist/bundle');
  const result = await build({
    entryPoints: { main: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...bundleExternals],
    banner: { js: esmShim },
    sourcemap: 'linked',
    minify: options.minify ?? false,
    // Minified names would make error names and stack traces in logs unreadable; keep them (costs a little size).
    keepNames: options.minify ?? false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    outExtension: { '.js': '.js' },
    chunkNames: 'chunks/[name]-[hash]',
  });
  return summarise(result.metafile, outdir);
}

function summarise(metafile: Metafile, outdir: string): BundleResult {
  const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js'));
  return {
    outdir,
    mainFile: path.join(outdir, 'main.js'),
    bytes: outputs.reduce((n, [, o]) => n + o.bytes, 0),
    files: outputs.length,
  };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: { outdir: { type: 'string' }, entry: { type: 'string' }, minify: { type: 'boolean' } },
  });
  const result = await bundleMain({ entry: values.entry, outdir: values.outdir, minify: values.minify });
  console.log(
    `bundle: ${path.relative(process.cwd(), result.mainFile)} (${result.files} files, ${result.bytes} bytes)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
