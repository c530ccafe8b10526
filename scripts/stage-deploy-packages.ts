// Stages the two deployment packages azd deploys (azure.yaml: services intake and worker), from one build. azd runs
// each service's restore, build and package steps in its project folder, for all services at once; two services on the
// repository root would run two `npm install`s and two builds in one folder concurrently. So the root is built once,
// by the project-level prepackage/predeploy hooks (which run before any service step), and this script copies the
// result into a folder per service: deploy/intake and deploy/worker, identical (MFA_RESET_FUNCTIONS, set by the
// template, selects each app's functions). A package holds host.json, the esbuild bundle (dist/bundle) and a
// package.json with the production dependencies and no scripts (nothing left to build: azd's build step and the
// platform's remote build, which installs those dependencies, find no build script), plus the lock file so the
// remote install resolves the versions CI tested.
// Usage: node dist/scripts/stage-deploy-packages.js (after `npm run build`, from the repository root).
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { consoleIo, isEntryPoint, runScript } from './lib/script-cli.js';
import type { ScriptIo } from './lib/script-cli.js';

export const deployServices = ['intake', 'worker'] as const;

interface RootPackage {
  readonly name: string;
  readonly version: string;
  readonly type?: string;
  readonly main: string;
  readonly engines?: Record<string, string>;
  readonly dependencies: Record<string, string>;
}

export interface StageOptions {
  /** Repository root (package.json, package-lock.json, host.json, the built dist/bundle). */
  readonly root: string;
  /** Where the service folders go (default <root>/deploy). */
  readonly outDir?: string;
}

/** Writes <outDir>/<service> for each service; returns the folders. Replaces what an earlier run staged there. */
export async function stageDeployPackages(options: StageOptions): Promise<string[]> {
  const root = path.resolve(options.root);
  const outDir = path.resolve(options.outDir ?? path.join(root, 'deploy'));
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as RootPackage;
  const bundleDir = path.join(root, path.dirname(pkg.main));
  const bundleFiles: string[] = await readdir(bundleDir).catch(() => []);
  if (!bundleFiles.includes(path.basename(pkg.main)))
    throw new Error(`${pkg.main} is missing: run \`npm run build\` first`);

  const deployed = {
    name: `${pkg.name}-deploy`,
    version: pkg.version,
    private: true,
    ...(pkg.type ? { type: pkg.type } : {}),
    main: pkg.main,
    ...(pkg.engines ? { engines: pkg.engines } : {}),
    dependencies: pkg.dependencies,
  };
  const folders: string[] = [];
  for (const service of deployServices) {
    const folder = path.join(outDir, service);
    // Keep the folder's own .gitignore (committed, so the folder exists in a fresh clone); replace everything else.
    for (const entry of await readdir(folder).catch((): string[] => []))
      if (entry !== '.gitignore') await rm(path.join(folder, entry), { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    await cp(path.join(root, 'host.json'), path.join(folder, 'host.json'));
    await cp(path.join(root, 'package-lock.json'), path.join(folder, 'package-lock.json'));
    await cp(bundleDir, path.join(folder, path.dirname(pkg.main)), { recursive: true });
    await writeFile(path.join(folder, 'package.json'), `${JSON.stringify(deployed, null, 2)}\n`);
    // The platform installs the dependencies (remote build); a local node_modules (azd's restore step) stays out.
    await writeFile(path.join(folder, '.funcignore'), 'node_modules/\n.gitignore\n');
    folders.push(folder);
  }
  return folders;
}

const USAGE = 'Usage: node dist/scripts/stage-deploy-packages.js (from the repository root, after `npm run build`)';

async function main(io: ScriptIo): Promise<number> {
  return runScript(io, USAGE, async () => {
    const folders = await stageDeployPackages({ root: process.cwd() });
    for (const folder of folders) io.out(`staged ${path.relative(process.cwd(), folder)}`);
  });
}

if (isEntryPoint(import.meta.url)) process.exitCode = await main(consoleIo);
