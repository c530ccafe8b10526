// Single-line, key=value-free structured logs for the queue functions: an event name plus ids and counts.
// Callers pass ids, counts and codes only, never user keys, tokens or contact details.
import type { InvocationContext } from '@azure/functions';

export type WorkLogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface WorkLog {
  info(event: string, fields?: WorkLogFields): void;
  warn(event: string, fields?: WorkLogFields): void;
  error(event: string, fields?: WorkLogFields): void;
}

const line = (event: string, fields: WorkLogFields = {}): string => JSON.stringify({ event, ...fields });

/** Logs through the invocation (the host correlates these with the invocation's operation id). */
export function invocationLog(context: InvocationContext): WorkLog {
  return {
    info: (event, fields) => context.log(line(event, fields)),
    warn: (event, fields) => context.warn(line(event, fields)),
    error: (event, fields) => context.error(line(event, fields)),
  };
}
