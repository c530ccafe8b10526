// Single-line structured logs for the queue functions: one JSON object per line, an event name plus ids and counts.
// Callers pass ids, counts and codes only, never user keys, tokens or contact details.

export type WorkLogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface WorkLog {
  info(event: string, fields?: WorkLogFields): void;
  warn(event: string, fields?: WorkLogFields): void;
  error(event: string, fields?: WorkLogFields): void;
}

/**
 * Where the lines go. In Azure it is the invocation's context (the host correlates its lines with the invocation's
 * operation id), which has these three methods; anything else with them (a console, a test's collector) works too.
 */
export interface LineLogger {
  log(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

const line = (event: string, fields: WorkLogFields = {}): string => JSON.stringify({ event, ...fields });

export function workLog(logger: LineLogger): WorkLog {
  return {
    info: (event, fields) => logger.log(line(event, fields)),
    warn: (event, fields) => logger.warn(line(event, fields)),
    error: (event, fields) => logger.error(line(event, fields)),
  };
}
