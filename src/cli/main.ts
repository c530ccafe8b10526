#!/usr/bin/env node
// The `mfa-reset` command: an admin's terminal on a deployed mfa-reset API (package.json `bin`). One file per
// command in ./commands; this entry only dispatches, prints errors and sets the exit code (cli-error.ts).
import { CliError, ExitCode, usageError, type ExitCode as Code } from './cli-error.js';
import type { CommandContext } from './args.js';
import { processOutput } from './output.js';

type Command = (argv: readonly string[], ctx: CommandContext) => Promise<Code>;

// Each command's module is loaded when it runs: the Azure SDK and the validators cost start-up time a usage error
// or `help` should not pay.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  reset: async () => (await import('./commands/reset.js')).resetCommand,
  bulk: async () => (await import('./commands/bulk.js')).bulkCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  cancel: async () => (await import('./commands/cancel.js')).cancelCommand,
  approve: async () => {
    const { decideCommand } = await import('./commands/decide.js');
    return (argv, ctx) => decideCommand('approve', argv, ctx);
  },
  reject: async () => {
    const { decideCommand } = await import('./commands/decide.js');
    return (argv, ctx) => decideCommand('reject', argv, ctx);
  },
  whoami: async () => (await import('./commands/whoami.js')).whoamiCommand,
};

export async function run(argv: readonly string[], ctx: CommandContext): Promise<Code> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const { helpText } = await import('./help.js');
    ctx.out.line(helpText());
    return name ? ExitCode.ok : ExitCode.usage;
  }
  const load = COMMANDS[name];
  if (!load) throw usageError(`mfa-reset: unknown command ${name.slice(0, 40)}.`);
  return (await load())(rest, ctx);
}

async function main(): Promise<void> {
  const out = processOutput();
  let code: Code;
  try {
    code = await run(process.argv.slice(2), { out, env: process.env });
  } catch (error) {
    if (error instanceof CliError) {
      out.note(error.message);
      code = error.exitCode;
    } else {
      out.note(`mfa-reset: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      code = ExitCode.notAllReset;
    }
  }
  // Leave once stdout has drained (a pipe), without waiting for idle keep-alive sockets.
  process.stdout.write('', () => process.exit(code));
}

await main();
