// What a figure was measured on: every RESULTS.md entry carries this next to its command line.
import os from 'node:os';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the run started (other work on the machine skews figures). */
  readonly loadAverage: readonly number[];
  readonly startedAt: string;
}

export function machineInfo(): MachineInfo {
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    startedAt: new Date().toISOString(),
  };
}

export function describeMachine(m: MachineInfo): string {
  return `nproc=${m.nproc} cpu="${m.cpuModel}" mem=${m.memoryGiB}GiB node=${m.node} ${m.platform} load=${m.loadAverage.join('/')}`;
}
