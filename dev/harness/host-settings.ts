// The queue settings the Functions host reads from host.json (extensions.queues), with the host's defaults.
import { readFile } from 'node:fs/promises';

export interface QueueHostSettings {
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxDequeueCount: number;
  /** Delay before a failed message is visible again (host default 0). */
  readonly visibilityTimeoutMs: number;
  readonly maxPollingIntervalMs: number;
  readonly messageEncoding: 'base64' | 'none';
  /**
   * Not a host.json setting: the visibility the host dequeues with (fixed at 10 minutes in the real host). Crash tests
   * shorten it so a killed process's messages reappear within the test.
   */
  readonly receiveVisibilitySeconds?: number;
}

/** "hh:mm:ss" or "d.hh:mm:ss(.fff)" as host.json writes TimeSpans. */
export function parseTimeSpan(value: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) throw new Error(`host.json: "${value}" is not a TimeSpan (hh:mm:ss)`);
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000 + ms;
}

interface HostJson {
  extensions?: { queues?: Record<string, unknown> };
}

export function queueSettingsFrom(hostJson: unknown, processorCount = 1): QueueHostSettings {
  const queues = (hostJson as HostJson | undefined)?.extensions?.queues ?? {};
  const num = (key: string, fallback: number): number => {
    const v = queues[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new Error(`host.json: queues.${key} must be a whole number`);
    return v;
  };
  const span = (key: string, fallback: string): number => {
    const v = queues[key];
    if (v !== undefined && typeof v !== 'string') throw new Error(`host.json: queues.${key} must be a TimeSpan string`);
    return parseTimeSpan(v ?? fallback);
  };
  const batchSize = num('batchSize', 16);
  if (batchSize < 1 || batchSize > 32) throw new Error('host.json: queues.batchSize must be between 1 and 32');
  const encoding = queues.messageEncoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'none')
    throw new Error('host.json: queues.messageEncoding must be base64 or none');
  const maxPollingIntervalMs = span('maxPollingInterval', '00:01:00');
  if (maxPollingIntervalMs < 100) throw new Error('host.json: queues.maxPollingInterval must be at least 100 ms');
  return {
    batchSize,
    newBatchThreshold: num('newBatchThreshold', Math.floor(batchSize / 2) * processorCount),
    maxDequeueCount: num('maxDequeueCount', 5),
    visibilityTimeoutMs: span('visibilityTimeout', '00:00:00'),
    maxPollingIntervalMs,
    messageEncoding: encoding,
  };
}

export async function readQueueSettings(hostJsonPath: string): Promise<QueueHostSettings> {
  return queueSettingsFrom(JSON.parse(await readFile(hostJsonPath, 'utf8')) as unknown);
}
