// `npm run audit -- verify --request <id> | verify --since <time> | export --request <id> [-o file]`.
// Exit 0: every chain checked is whole and matches the table; 1: problems (one line each); 2: usage or connection.
import { writeFile } from 'node:fs/promises';
import { createBlobAuditRecord } from '../../src/lib/audit-record/index.js';
import { parseArgs, usage, UsageError, type AuditCommand } from './args.js';
import { auditContainerFrom, dataTableFrom } from './connections.js';
import { StoreError } from './store-error.js';
import { verifyRequest, verifySince, type Print } from './verify.js';

export async function runAudit(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: Print,
  err: Print,
  writeOut: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  let command: AuditCommand;
  try {
    command = parseArgs(argv);
    const record = createBlobAuditRecord({ container: auditContainerFrom(command, env) });
    const table = dataTableFrom(command, env);
    if (!table)
      err(
        command.noTable
          ? 'table cross-check skipped (--no-table)'
          : 'table cross-check skipped: no data table configured (MfaData, AzureWebJobsStorage or --data-connection)',
      );
    if (command.command === 'export') {
      // The chain goes to stdout or the file untouched (the bytes an investigator can re-verify); the rest to stderr.
      const checked = await verifyRequest(record, table, command.requestId, err);
      const text = checked.lines.map((l) => `${l}\n`).join('');
      if (command.out) await writeFile(command.out, text);
      else writeOut(text);
      return checked.problems === 0 ? 0 : 1;
    }
    if ('requestId' in command)
      return (await verifyRequest(record, table, command.requestId, out)).problems === 0 ? 0 : 1;
    return (await verifySince(record, table, command.since, out)).withProblems === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${error.message}\n${usage}`);
      return 2;
    }
    if (error instanceof StoreError) {
      err(error.message);
      return 2;
    }
    throw error;
  }
}

const isMain = process.argv[1]?.endsWith('/scripts/audit/main.js') ?? false;
if (isMain) {
  runAudit(process.argv.slice(2), process.env, console.log, console.error).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`audit: ${error instanceof Error ? error.name : 'unexpected failure'}`);
      process.exit(2);
    },
  );
}
