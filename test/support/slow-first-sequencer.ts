// Starts the slowest test files first. On a clean clone vitest has no durations from an earlier run and orders files
// by size, so small but slow files (a crash test, Azurite restarted) started last and ran alone at the end of the
// pass while the other workers sat idle. The list is the files of 7 s or more in a clean-clone CI run (f498936); a
// stale list only costs time. With durations cached (a second pass, a developer's machine), vitest's order wins
// within each group.
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const slowest = [
  'guard/guard-paths',
  'security/intake-http.property',
  'reliability/azurite-restart',
  'e2e/flood-cancel',
  'cli/cli-e2e',
  'guard/guard-engine',
  'security/protected-and-kill-switch',
  'reliability/duplicate-delivery',
  'reliability/fault-injection',
  'engine/engine-faults',
  'contract/api-contract',
  'guard/privilege-reads',
  'infra/least-privilege',
  'e2e/worker-controls',
  'e2e/kill-switch',
  'graph/write-gate',
  'e2e/api',
  'security/secret-leaks',
  'infra/deploy-shape',
  'runtime/harness',
  'e2e/true-rows',
  'emulator/throttle',
  'e2e/worker',
  'e2e/callbacks',
  'reliability/crash-before-first-delete',
  'runtime/azurite',
  'reliability/crash-after-second-delete',
  'e2e/cooldown',
  'security/tokens-and-roles',
  'store/table-store',
  'reliability/crash-after-last-delete',
  'e2e/operator-controls',
].map((name) => `${path.sep}test${path.sep}${name.split('/').join(path.sep)}.test.ts`);

const rank = (file: TestSpecification): number => {
  const i = slowest.findIndex((suffix) => file.moduleId.endsWith(suffix));
  return i === -1 ? slowest.length : i;
};

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const cached = sorted.some(
      (f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${path.relative(root, f.moduleId)}`) !== undefined,
    );
    // Durations known: vitest already puts the slowest first, from this machine's own figures.
    if (cached) return sorted;
    return sorted
      .map((file, i) => ({ file, i }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i)
      .map((x) => x.file);
  }
}
