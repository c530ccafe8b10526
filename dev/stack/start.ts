// `npm start`: the whole service locally. Azurite (data in .local/azurite), the Graph emulator with its demo tenant
// on https://localhost:8443 and the app on http://localhost:7071, as `func start` would serve it. With GRAPH_BASE_URL
// and AUTH_* in the environment or local.settings.json (and a credential for Graph), the real Graph and Entra are used
// instead. Settings: the environment, then local.settings.json, then the stack's own defaults (local-settings.ts).
import { DEMO_APPS, DEMO_PEOPLE, DEMO_USERS } from '../graph-emulator/index.js';
import { applyLocalSettings, localSettingsPath } from '../harness/local-settings.js';
import { API_SCOPE, PREAUTHORIZED_PUBLIC_CLIENTS } from '../../src/lib/domain/index.js';
import { jsonLineLog, type HarnessLogLevel } from '../harness/log.js';
import { reexecWithEmulatorCa, startLocalStack, type LocalStack } from './local-stack.js';

function instructions(stack: LocalStack): string {
  const api = stack.url;
  const lines = [`mfa-reset is running on ${api}  (Ctrl-C stops everything)`, ''];
  const e = stack.emulator?.env;
  lines.push(...cliLines(stack), '');
  if (e) {
    const app = DEMO_APPS.logicApp;
    lines.push(
      `Graph emulator (demo tenant): ${stack.emulator?.url}   CA: ${e.NODE_EXTRA_CA_CERTS}`,
      '',
      'Get a caller token (demo app "Logic App bulk resets": Resets.Submit, Resets.SubmitBulk, Resets.Read):',
      `  TOKEN=$(curl -s --cacert ${e.NODE_EXTRA_CA_CERTS} ${e.TOKEN_ENDPOINT} \\`,
      `    -d grant_type=client_credentials -d client_id=${app.appId} \\`,
      `    -d client_secret=${app.clientSecret} -d scope=api://${e.AUTH_AUDIENCE}/.default | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      '',
      `Or as a person (device code through the Azure CLI's client, signed in at once as the demo admin ${DEMO_PEOPLE.admin}):`,
      `  CODE=$(curl -s --cacert ${e.NODE_EXTRA_CA_CERTS} ${e.TOKEN_ENDPOINT.replace(/token$/, 'devicecode')} \\`,
      `    -d client_id=${PREAUTHORIZED_PUBLIC_CLIENTS.azureCli} -d scope=api://${e.AUTH_AUDIENCE}/${API_SCOPE} | node -pe 'JSON.parse(require("fs").readFileSync(0)).device_code')`,
      `  TOKEN=$(curl -s --cacert ${e.NODE_EXTRA_CA_CERTS} ${e.TOKEN_ENDPOINT} -d grant_type=device_code \\`,
      `    -d client_id=${PREAUTHORIZED_PUBLIC_CLIENTS.azureCli} -d device_code=$CODE | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      '',
    );
  } else {
    lines.push(
      `Graph: ${stack.settings.GRAPH_BASE_URL}   tenant: ${stack.settings.AUTH_TENANT_ID}`,
      `Get a caller token for api://${stack.settings.AUTH_AUDIENCE}/.default from your tenant and export it as TOKEN.`,
      '',
    );
  }
  const user = e ? DEMO_USERS.plain : 'someone@yourtenant.example';
  const users = e ? [DEMO_USERS.defaultPush, DEMO_USERS.everything, DEMO_USERS.breakGlass] : ['a@yourtenant.example'];
  lines.push(
    'Reset one user:',
    `  curl -i -X POST ${api}/api/resets -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"user":"${user}","ticket":"INC0012345","reason":"lost_device"}'`,
    '',
    'Bulk reset from CSV:',
    `  printf 'user,ticket,reason\\n${users.map((u) => `${u},INC0012346,lost_device`).join('\\n')}\\n' | \\`,
    `    curl -i -X POST ${api}/api/resets -H "authorization: Bearer $TOKEN" -H 'content-type: text/csv' --data-binary @-`,
    '',
    'A CSV (and any request of APPROVAL_MIN_USERS users or more) waits as awaiting_approval until another identity',
    'with Resets.Approve approves it:',
    ...(e
      ? [
          `  APPROVER=$(curl -s --cacert ${e.NODE_EXTRA_CA_CERTS} ${e.TOKEN_ENDPOINT} \\`,
          `    -d grant_type=client_credentials -d client_id=${DEMO_APPS.approver.appId} \\`,
          `    -d client_secret=${DEMO_APPS.approver.clientSecret} -d scope=api://${e.AUTH_AUDIENCE}/.default | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
        ]
      : ["  (export an approver's token as APPROVER)"]),
    `  curl -i -X POST ${api}/api/resets/<id>/approve -H "authorization: Bearer $APPROVER" -H 'content-type: application/json' -d '{"comment":"checked"}'`,
    '',
    'Poll the status (the Location header of the 202 answer; 202 while pending, 200 when done):',
    `  curl -i ${api}/api/resets/<id> -H "authorization: Bearer $TOKEN"`,
    `  curl -s "${api}/api/resets/<id>?format=csv" -H "authorization: Bearer $TOKEN"`,
  );
  if (e)
    lines.push(
      '',
      `Inspect a demo user: curl -s --cacert ${e.NODE_EXTRA_CA_CERTS} ${stack.emulator?.url}/_emulator/users/${user}`,
    );
  return lines.join('\n');
}

/** The `mfa-reset` CLI, ready to paste: signed in as the demo app (or with `az login` on a real tenant). */
function cliLines(stack: LocalStack): string[] {
  const e = stack.emulator?.env;
  if (!e) {
    return [
      'From your terminal (another shell; `az login` to this tenant first):',
      `  export MFA_RESET_API=${stack.url} MFA_RESET_AUDIENCE=${stack.settings.AUTH_AUDIENCE}`,
      '  npx mfa-reset whoami',
    ];
  }
  const app = DEMO_APPS.logicApp;
  return [
    'From your terminal (another shell), the mfa-reset CLI as the demo app "Logic App bulk resets":',
    `  export MFA_RESET_API=${stack.url} MFA_RESET_AUDIENCE=${e.AUTH_AUDIENCE} NODE_EXTRA_CA_CERTS=${e.NODE_EXTRA_CA_CERTS} \\`,
    `    AZURE_TENANT_ID=${e.AUTH_TENANT_ID} AZURE_AUTHORITY_HOST=${e.AUTHORITY_HOST} \\`,
    `    AZURE_CLIENT_ID=${app.appId} AZURE_CLIENT_SECRET=${app.clientSecret}`,
    `  npx mfa-reset reset ${DEMO_USERS.plain} --ticket INC0012345 --reason lost_device --tap`,
  ];
}

async function main(): Promise<void> {
  // Before the emulator decision: local.settings.json may name a real tenant (the environment still wins over it).
  try {
    const keys = await applyLocalSettings();
    if (keys.length > 0) console.error(`Settings from ${localSettingsPath}: ${keys.join(', ')}`);
  } catch (error) {
    console.error(`Could not read local settings: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (await reexecWithEmulatorCa()) return;
  const log = jsonLineLog(
    (line) => process.stderr.write(line),
    (process.env.LOG_LEVEL as HarnessLogLevel | undefined) ?? 'info',
  );
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ log });
  } catch (error) {
    console.error(`Could not start the local stack: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(`\n${instructions(stack)}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
