// How a command ends other than by finishing: a message for the person at the terminal (it names the fix) and the
// exit code. 0: every user reset or had nothing to reset; 1: some users not reset (failed, protected, not found…) or
// the service could not take the request now; 2: a usage or authentication problem (nothing was done).
export const ExitCode = { ok: 0, notAllReset: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError =>
  new CliError(`${message}\nRun \`mfa-reset help\` for the commands and options.`, ExitCode.usage);
