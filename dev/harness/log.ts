// Single-line JSON logs for the harness and for the invocations it runs (context.log & co.).
import { randomBytes } from 'node:crypto';
import type { LogLevel } from '@azure/functions';

export type HarnessLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type HarnessLog = (level: HarnessLogLevel, fields: Readonly<Record<string, unknown>>) => void;

const levelOf: Record<LogLevel, HarnessLogLevel> = {
  trace: 'debug',
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  none: 'debug',
};

/** A HarnessLog that writes one JSON line per entry to a stream, dropping entries below `minLevel`. */
export function jsonLineLog(write: (line: string) => void, minLevel: HarnessLogLevel = 'info'): HarnessLog {
  const order: HarnessLogLevel[] = ['debug', 'info', 'warn', 'error'];
  return (level, fields) => {
    if (order.indexOf(level) < order.indexOf(minLevel)) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, ...fields })}\n`);
  };
}

export const silentLog: HarnessLog = () => undefined;

function messageOf(args: readonly unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a)))
    .join(' ')
    .replace(/\s*\n\s*/g, ' ');
}

export function invocationLogHandler(log: HarnessLog, functionName: string, invocationId: string) {
  return (level: LogLevel, ...args: unknown[]): void =>
    log(levelOf[level], { function: functionName, invocationId, message: messageOf(args) });
}

/** A fresh W3C traceparent, as the host gives each invocation. */
export function traceContextFor(): { traceParent: string } {
  return { traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` };
}
