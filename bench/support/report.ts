// Benchmark output: a human-readable block on stdout and one JSON record per run under .local/bench/ (git-ignored),
// from which figures are copied into bench/RESULTS.md together with the command line and the machine.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { MachineInfo } from './machine.js';
import { describeMachine } from './machine.js';

export interface BenchRecord {
  readonly bench: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly figures: Readonly<Record<string, unknown>>;
  /** Target checks: name → met or not (absent when the bench has no target). */
  readonly targets?: Readonly<Record<string, boolean>>;
  readonly notes?: readonly string[];
}

export const resultsDir = path.resolve('.local/bench');

export async function report(record: BenchRecord): Promise<void> {
  const lines = [
    `## ${record.bench}`,
    `command: ${record.command}`,
    `machine: ${describeMachine(record.machine)}`,
    `settings: ${JSON.stringify(record.settings)}`,
    ...Object.entries(record.figures).map(([k, v]) => `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
  ];
  if (record.targets) {
    for (const [name, met] of Object.entries(record.targets))
      lines.push(`  target ${name}: ${met ? 'MET' : 'NOT MET'}`);
  }
  for (const note of record.notes ?? []) lines.push(`  note: ${note}`);
  console.log(lines.join('\n'));
  await mkdir(resultsDir, { recursive: true });
  await appendFile(path.join(resultsDir, 'results.jsonl'), `${JSON.stringify(record)}\n`);
}
