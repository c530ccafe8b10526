// Where a command writes: results to stdout, messages to stderr. Tests and non-interactive runs (a pipe, CI) get
// plain lines; a terminal gets the live progress line.
export interface Output {
  /** A result line (stdout). */
  line(text: string): void;
  /** A message for the person (stderr). */
  note(text: string): void;
  /** stdout is a terminal: the progress line may be redrawn in place. */
  readonly interactive: boolean;
  /** Redraws the current line of stdout (terminal only). */
  redraw(text: string): void;
}

export function processOutput(): Output {
  const interactive = process.stdout.isTTY === true;
  let drawn = false;
  const endDrawn = (): void => {
    if (drawn) process.stdout.write('\n');
    drawn = false;
  };
  return {
    interactive,
    line(text) {
      endDrawn();
      process.stdout.write(`${text}\n`);
    },
    note(text) {
      endDrawn();
      process.stderr.write(`${text}\n`);
    },
    redraw(text) {
      const width = process.stdout.columns || 100; // 0 when the terminal does not say
      process.stdout.write(`\r\x1b[2K${text.slice(0, Math.max(20, width - 1))}`);
      drawn = true;
    },
  };
}
