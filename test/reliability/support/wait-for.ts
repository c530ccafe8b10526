// Waits on a condition with a deadline (never a fixed sleep): polls `probe` until it returns a value that is not
// undefined/false, or fails with what it last saw and what the system was doing (the running stack's report).

export interface WaitOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** What we are waiting for, for the failure message. */
  readonly what: string;
  /** What the system was doing, added to the failure message (default: the report set by reportOnTimeout). */
  readonly report?: () => Promise<string> | string;
}

let defaultReport: (() => Promise<string> | string) | undefined;

/** Sets the report every wait prints on a timeout (a test stack sets it when it starts); returns the undo. */
export function reportOnTimeout(report: () => Promise<string> | string): () => void {
  defaultReport = report;
  return () => {
    if (defaultReport === report) defaultReport = undefined;
  };
}

/** The report to append to a timeout message (empty when none is set); never throws. */
export async function timeoutReport(report = defaultReport): Promise<string> {
  if (!report) return '';
  try {
    return `\nsystem at the timeout:\n${await report()}`;
  } catch (error) {
    return `\n(no system report: ${String(error)})`;
  }
}

function describeLast(last: unknown): string {
  if (last instanceof Error) return `threw ${last.message}`;
  if (last === undefined || last === false) return `${String(last)}, the condition did not hold`;
  return JSON.stringify(last);
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const interval = options.intervalMs ?? 50;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const state = await timeoutReport(options.report ?? defaultReport);
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${options.what} (last: ${describeLast(last)})${state}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
