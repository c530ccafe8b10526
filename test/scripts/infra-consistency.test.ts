// The infrastructure and the code must agree on names: the queues and the table the Bicep creates, the app settings
// it writes (each one a setting the code reads, so a typo cannot pass silently), and the azd services it tags.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as schemas from '../../src/lib/config/schema.js';
import { deadLetterQueueName } from '../../src/lib/queue/dead-letter.js';
import { queueNames } from '../../src/lib/queue/reset-queue.js';
import { DEFAULT_TABLE_NAME } from '../../src/lib/store/keys.js';

const repo = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, repo), 'utf8');
const mainBicep = read('infra/main.bicep');

/**
 * Keys of the app settings main.bicep gives the app of azd service `service`: its own object literal (one `key: value`
 * per line), plus those of any `var` it unions in besides commonSettings (e.g. the worker's workerTapSettings).
 */
function appSettingKeys(service: string): string[] {
  const at = mainBicep.indexOf(`serviceName: '${service}'`);
  expect(at, `main.bicep deploys the ${service} service`).toBeGreaterThanOrEqual(0);
  const open = /appSettings: union\(commonSettings, ((?:\w+, )*)\{/.exec(mainBicep.slice(at));
  expect(open, `the ${service} app's settings are union(commonSettings, [vars, ]{ … })`).not.toBeNull();
  const start = at + (open?.index ?? 0) + (open?.[0].length ?? 0);
  const body = mainBicep.slice(start, mainBicep.indexOf('})', start));
  const extraVars = (open?.[1] ?? '').split(', ').filter((v) => v !== '');
  return [
    ...[...body.matchAll(/^\s+([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1] ?? ''),
    ...extraVars.flatMap((v) => varKeys(v)),
  ];
}

/** Keys of a `var name = …` block of main.bicep (the block ends at the next blank line). */
function varKeys(name: string): string[] {
  const start = mainBicep.indexOf(`var ${name} = `);
  expect(start, `main.bicep declares var ${name}`).toBeGreaterThanOrEqual(0);
  const body = mainBicep.slice(start, mainBicep.indexOf('\n\n', start));
  return [...body.matchAll(/(?:^|[{\s])([A-Za-z_][A-Za-z0-9_]*):\s/gm)].map((m) => m[1] ?? '');
}
// commonSettings = union(itemSealSettings, { … }); itemSealSettings holds ITEM_SEAL_KEY (+ ITEM_SEAL_PREVIOUS_KEY).
const common = [...varKeys('commonSettings'), ...varKeys('itemSealSettings')];
const intakeSettings = [...common, ...appSettingKeys('intake')];
const workerSettings = [...common, ...appSettingKeys('worker')];

/** Settings the code reads (src/lib/config/schema.ts), plus the host's own identity-based storage and telemetry keys. */
const known = new Set([
  ...Object.values(schemas).flatMap((s) =>
    typeof s === 'object' && s !== null && 'shape' in s ? Object.keys(s.shape) : [],
  ),
  // Read by the Functions host itself: its own storage, and the MfaData connection the queue triggers name.
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'MfaData__queueServiceUri',
  'MfaData__credential',
  'MfaData__clientId',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  // The host's own request body limit (bytes), set equal to MAX_BODY_BYTES.
  'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT',
]);

describe('infra/ agrees with the code', () => {
  it('creates the queues of contracts §4 and the state table', () => {
    expect(/var batchesQueueName = '([^']+)'/.exec(mainBicep)?.[1]).toBe(queueNames.batches);
    expect(/var itemsQueueName = '([^']+)'/.exec(mainBicep)?.[1]).toBe(queueNames.items);
    expect(/var callbacksQueueName = '([^']+)'/.exec(mainBicep)?.[1]).toBe(queueNames.callbacks);
    expect(/var deadLetterQueueName = '([^']+)'/.exec(mainBicep)?.[1]).toBe(deadLetterQueueName);
    expect(/var tableNames = \[([^\]]*)\]/.exec(mainBicep)?.[1]).toContain(`'${DEFAULT_TABLE_NAME}'`);
  });

  it('writes only settings the code reads', () => {
    expect(intakeSettings.filter((k) => !known.has(k))).toEqual([]);
    expect(workerSettings.filter((k) => !known.has(k))).toEqual([]);
  });

  it('gives each app the settings its mode requires, and Graph settings to the worker only', () => {
    expect(intakeSettings).toEqual(
      expect.arrayContaining([
        'MFA_RESET_FUNCTIONS',
        'AUTH_TENANT_ID',
        'AUTH_AUDIENCE',
        'AzureWebJobsStorage__blobServiceUri',
        'AzureWebJobsStorage__credential',
        'AzureWebJobsStorage__clientId',
        'MfaData__queueServiceUri',
        'MfaData__tableServiceUri',
        'MfaData__credential',
        'MfaData__clientId',
        'ITEM_SEAL_KEY',
      ]),
    );
    expect(workerSettings).toEqual(
      expect.arrayContaining([
        'MFA_RESET_FUNCTIONS',
        'GRAPH_BASE_URL',
        'AZURE_CLIENT_ID',
        'PROTECTED_USERS',
        'PROTECTED_GROUP_IDS',
        'KILL_SWITCH',
        'AzureWebJobsStorage__blobServiceUri',
        'AzureWebJobsStorage__clientId',
        'MfaData__queueServiceUri',
        'MfaData__tableServiceUri',
        'MfaData__clientId',
        'MfaAudit__blobServiceUri',
        'MfaAudit__tableServiceUri',
        'MfaAudit__credential',
        'MfaAudit__clientId',
        'AUDIT_CONTAINER',
        'ITEM_SEAL_KEY',
      ]),
    );
    expect(intakeSettings.filter((k) => k.startsWith('MfaAudit') || k.startsWith('AUDIT_'))).toEqual([]);
    expect(intakeSettings.filter((k) => k.startsWith('GRAPH_') || k.startsWith('PROTECTED_'))).toEqual([]);
    expect(workerSettings.filter((k) => k.startsWith('AUTH_'))).toEqual([]);
    expect(intakeSettings).toContain('TAP_KEY_ID');
    expect(workerSettings).toContain('TAP_PUBLIC_KEY');
    expect(intakeSettings).not.toContain('TAP_PUBLIC_KEY');
    expect(workerSettings).not.toContain('TAP_KEY_ID');
  });

  it('deploys one azd service per function app, each from its own staged folder', () => {
    const azure = parse(read('azure.yaml')) as { services: Record<string, { project: string; host: string }> };
    const tagged = [...mainBicep.matchAll(/serviceName: '([a-z]+)'/g)].map((m) => m[1]);
    expect(Object.keys(azure.services).sort()).toEqual([...tagged].sort());
    // Two services in one folder would run two installs and two builds there at once (scripts/stage-deploy-packages.ts).
    for (const [name, service] of Object.entries(azure.services))
      expect(`${service.project} ${service.host}`).toBe(`deploy/${name} function`);
  });

  it('passes every parameter azd supplies to a parameter main.bicep declares, and supplies every required one', () => {
    const supplied = Object.keys((JSON.parse(read('infra/main.parameters.json')) as { parameters: object }).parameters);
    const declared = [...mainBicep.matchAll(/^param (\w+) \w+( = )?/gm)];
    const names = declared.map((m) => m[1]);
    const required = declared.filter((m) => m[2] === undefined).map((m) => m[1]);
    expect(supplied.filter((p) => !names.includes(p))).toEqual([]);
    expect(required.filter((p) => p !== undefined && !supplied.includes(p))).toEqual([]);
  });
});
