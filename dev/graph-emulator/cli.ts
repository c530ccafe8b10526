/** `npm run emulator -- --port N`: runs the Graph emulator alone and prints how to point a client at it. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { validateTenant } from './state/fixture-schema.js';
import {
  DEMO_APPS,
  DEMO_BREAK_GLASS_UPN,
  DEMO_PEOPLE,
  DEMO_PROTECTED_GROUP_ID,
  DEMO_USERS,
  startEmulator,
} from './index.js';
import type { TenantFixture } from './types.js';

const USAGE = `Usage: npm run emulator -- [--port N] [--host 127.0.0.1] [--ca-dir DIR] [--fixture tenant.json] [--sign-in-as UPN]
  --sign-in-as  approve every device code at once as this user (default for the demo tenant: ${DEMO_PEOPLE.admin})`;

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'ca-dir': { type: 'string' },
        fixture: { type: 'string' },
        'sign-in-as': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port ?? process.env.EMULATOR_PORT ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer between 0 and 65535.\n${USAGE}`);
    process.exit(2);
  }
  let fixture: TenantFixture | undefined;
  if (args.fixture) {
    const v = validateTenant(JSON.parse(await readFile(args.fixture, 'utf8')) as unknown);
    if (!v.ok) {
      console.error(`Invalid fixture ${args.fixture}:\n- ${v.problems.join('\n- ')}`);
      process.exit(2);
    }
    fixture = v.value;
  }
  const signInAs = args['sign-in-as'] ?? (fixture ? undefined : DEMO_PEOPLE.admin);
  const emulator = await startEmulator({
    port,
    host: args.host,
    caDir: args['ca-dir'],
    fixture,
    ...(signInAs ? { deviceFlow: { autoApproveAs: signInAs } } : {}),
  });
  const lines = Object.entries(emulator.env).map(([k, v]) => `${k}=${v}`);
  const demo: string[] = [];
  if (!fixture) {
    lines.push(`PROTECTED_GROUP_IDS=${DEMO_PROTECTED_GROUP_ID}`, `PROTECTED_USERS=${DEMO_BREAK_GLASS_UPN}`);
    demo.push(
      '',
      'Demo caller apps (client credentials; fake secrets are listed in docs/emulator.md):',
      ...Object.entries(DEMO_APPS).map(([name, app]) => `  ${name.padEnd(12)} ${app.appId}`),
      '',
      `Demo users include ${DEMO_USERS.plain}, ${DEMO_USERS.deadlock} (alternateMobile deadlock) and ${DEMO_USERS.everything} (every method type).`,
      `Device code sign-ins are approved at once as ${signInAs ?? 'nobody'} (POST /_emulator/devicecode/approve otherwise).`,
    );
  }
  console.log(
    [
      `Graph emulator listening on ${emulator.url}`,
      `CA certificate: ${emulator.env.NODE_EXTRA_CA_CERTS} (set NODE_EXTRA_CA_CERTS before the client process starts)`,
      `Control API: ${emulator.url}/_emulator/env`,
      '',
      'Environment for clients:',
      ...lines,
      ...demo,
      '',
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
  const stop = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`graph-emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
