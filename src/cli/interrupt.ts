// Ctrl-C while the CLI follows a request: the request goes on in the service whatever the terminal does, so ask
// whether to cancel it there. Without an answer (stdin closed, or a second Ctrl-C) nothing is cancelled.
import { createInterface } from 'node:readline';

export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening for Ctrl-C (the default handling is back). */
  dispose(): void;
}

export function onCtrlC(): Interrupt {
  const controller = new AbortController();
  const handler = (): void => controller.abort();
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}

/** Asks a yes/no question on stderr and reads the answer from stdin; no answer is "no". */
export function askYesNo(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: process.stdin.isTTY === true,
    });
    let answered = false;
    const finish = (yes: boolean): void => {
      if (answered) return;
      answered = true;
      process.off('SIGINT', onSigint);
      rl.close();
      resolve(yes);
    };
    const onSigint = (): void => finish(false);
    process.on('SIGINT', onSigint);
    rl.on('SIGINT', onSigint);
    rl.on('close', () => finish(false));
    rl.question(`${question} [y/N] `, (answer) => finish(/^y(es)?$/i.test(answer.trim())));
  });
}
