// azd deploys two services from two folders staged from one build (scripts/stage-deploy-packages.ts), so no two
// installs or builds ever run in one folder at once. Each package: host.json, the bundle, the lock file, and a
// package.json with the production dependencies and nothing to build.
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployServices, stageDeployPackages } from '../../scripts/stage-deploy-packages.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'stage-'));
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({
      name: 'mfa-reset',
      version: '1.2.3',
      type: 'module',
      main: 'dist/bundle/main.js',
      engines: { node: '>=20' },
      scripts: { build: 'tsc' },
      dependencies: { zod: '4.6.7' },
      devDependencies: { vitest: '4.1.12' },
    }),
  );
  await writeFile(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
  await writeFile(path.join(root, 'host.json'), '{"version":"2.0"}');
  await mkdir(path.join(root, 'dist/bundle'), { recursive: true });
  await writeFile(path.join(root, 'dist/bundle/main.js'), 'export {};');
  await writeFile(path.join(root, 'dist/bundle/chunk-a.js'), 'export const a = 1;');
  // An earlier run's leftovers and the committed .gitignore.
  await mkdir(path.join(root, 'deploy/worker/dist/old'), { recursive: true });
  await writeFile(path.join(root, 'deploy/worker/.gitignore'), '*\n!.gitignore\n');
  await writeFile(path.join(root, 'deploy/worker/stale.js'), '');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const listing = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

describe('stageDeployPackages', () => {
  it('writes one identical package per service, with nothing left to build', async () => {
    const folders = await stageDeployPackages({ root });
    expect(folders).toEqual(deployServices.map((s) => path.join(root, 'deploy', s)));
    expect(await listing(path.join(root, 'deploy/intake'))).toEqual(
      [
        '.funcignore',
        'dist/bundle/chunk-a.js',
        'dist/bundle/main.js',
        'host.json',
        'package-lock.json',
        'package.json',
      ].sort(),
    );
    const pkg = JSON.parse(await readFile(path.join(root, 'deploy/intake/package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg).toEqual({
      name: 'mfa-reset-deploy',
      version: '1.2.3',
      private: true,
      type: 'module',
      main: 'dist/bundle/main.js',
      engines: { node: '>=20' },
      dependencies: { zod: '4.6.7' },
    });
    expect(await readFile(path.join(root, 'deploy/intake/.funcignore'), 'utf8')).toContain('node_modules/');
    // The worker's folder: the same files (plus its committed .gitignore), the leftovers gone.
    expect(await listing(path.join(root, 'deploy/worker'))).toEqual(
      [...(await listing(path.join(root, 'deploy/intake'))), '.gitignore'].sort(),
    );
    for (const file of ['package.json', 'dist/bundle/main.js', 'host.json'])
      expect(await readFile(path.join(root, 'deploy/worker', file), 'utf8')).toBe(
        await readFile(path.join(root, 'deploy/intake', file), 'utf8'),
      );
  });

  it('refuses to stage before the build', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'stage-empty-'));
    try {
      await writeFile(
        path.join(empty, 'package.json'),
        JSON.stringify({ name: 'x', version: '0', main: 'dist/bundle/main.js', dependencies: {} }),
      );
      await expect(stageDeployPackages({ root: empty })).rejects.toThrow(/run `npm run build` first/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
