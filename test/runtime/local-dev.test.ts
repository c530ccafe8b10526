// The local dev conventions. local.settings.json for the host harness and `npm start`: its Values fill what the
// environment leaves unset and win over the stack's embedded defaults; the environment wins over both; a verbatim copy
// of the committed sample (placeholders, UseDevelopmentStorage=true, the public Graph URL without a tenant) still runs
// on Azurite and the emulator. The stack is started the way `npm start` starts it, with a file of our own instead of
// the repository's. test.http's demo calls all succeed against that stack, and .vscode's launch and task
// configurations name scripts, tasks and build outputs that exist.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS } from '../../dev/graph-emulator/index.js';
import { repoRoot } from '../../dev/harness/harness.js';
import { applyLocalSettings, readLocalSettings } from '../../dev/harness/local-settings.js';
import { clientCredentialsToken, getStatus } from '../../dev/stack/api-client.js';
import { startLocalStack, type LocalStack } from '../../dev/stack/local-stack.js';
import { newSealKey } from '../../dev/stack/seal-key.js';
import { parseHttpFile, runHttpFile } from '../support/http-file.js';

let dir: string;
let stack: LocalStack | undefined;
const sealKey = newSealKey();

const writeSettings = async (name: string, content: unknown): Promise<string> => {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'local-settings-'));
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('readLocalSettings', () => {
  it('reads nothing when there is no file, and leaves placeholders out', async () => {
    expect(await readLocalSettings(path.join(dir, 'absent.json'))).toEqual({});
    const file = await writeSettings('values.json', {
      IsEncrypted: false,
      Values: { A: 'x', EMPTY: '', NIL: '00000000-0000-0000-0000-000000000000', N: 5, B: true },
    });
    expect(await readLocalSettings(file)).toEqual({ A: 'x', N: '5', B: 'true' });
  });

  it('refuses a file it cannot use, naming it', async () => {
    const broken = await writeSettings('broken.json', '{ "Values": { "A": "x", } }');
    await expect(readLocalSettings(broken)).rejects.toThrow(`${broken} is not valid JSON`);
    const encrypted = await writeSettings('encrypted.json', { IsEncrypted: true, Values: { A: 'x' } });
    await expect(readLocalSettings(encrypted)).rejects.toThrow(/encrypted/);
    const nested = await writeSettings('nested.json', { Values: { A: { b: 1 } } });
    await expect(readLocalSettings(nested)).rejects.toThrow('Values.A must be a string');
  });
});

describe('npm start with a local.settings.json', () => {
  it('layers the environment over the file over the embedded defaults', async () => {
    const sample = JSON.parse(await readFile(path.join(repoRoot, 'local.settings.sample.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    const file = await writeSettings('local.settings.json', {
      IsEncrypted: false,
      Values: {
        ...sample.Values,
        TARGET_COOLDOWN_HOURS: '3', // only here
        CALLER_MAX_USERS_PER_HOUR: '9', // here and in the environment
        ITEM_SEAL_KEY: sealKey, // here, and an embedded default of the stack
      },
    });
    const env = process.env;
    env.CALLER_MAX_USERS_PER_HOUR = '7';
    delete env.TARGET_COOLDOWN_HOURS;
    delete env.ITEM_SEAL_KEY;
    delete env.AzureWebJobsStorage;
    delete env.MfaAudit;

    const applied = await applyLocalSettings(env, file);
    expect(applied).toContain('TARGET_COOLDOWN_HOURS');
    expect(applied).not.toContain('CALLER_MAX_USERS_PER_HOUR');
    expect(applied).not.toContain('AUTH_TENANT_ID'); // the sample's all-zero GUID is a placeholder

    stack = await startLocalStack({ port: 0, emulatorPort: 0, azuriteLocation: null });
    const s = stack.settings;
    expect(s.TARGET_COOLDOWN_HOURS).toBe('3');
    expect(s.CALLER_MAX_USERS_PER_HOUR).toBe('7');
    expect(s.ITEM_SEAL_KEY).toBe(sealKey);
    // The sample's UseDevelopmentStorage=true is this stack's Azurite; its Graph URL without a tenant, the emulator.
    expect(s.AzureWebJobsStorage).toBe(stack.azurite.connectionString);
    expect(s.MfaAudit).toBe(stack.azurite.connectionString);
    expect(stack.emulator).toBeDefined();
    expect(s.GRAPH_BASE_URL).toBe(stack.emulator?.env.GRAPH_BASE_URL);
    // Left blank in the sample: the stack's own TAP key pair.
    expect(s.TAP_PUBLIC_KEY).toBeTruthy();

    // And the app runs on them: an emulator token is accepted (404 for an unknown request, not 401).
    const e = stack.emulator!.env;
    const token = await clientCredentialsToken(e.TOKEN_ENDPOINT, DEMO_APPS.logicApp, e.AUTH_AUDIENCE);
    const answer = await getStatus(`${stack.url}/api/resets/00000000-0000-4000-8000-000000000000`, token);
    expect(answer.status).toBe(404);
  });
});

describe('test.http', () => {
  it('runs every demo call against the local stack', async () => {
    if (!stack?.emulator) throw new Error('the stack of the test above did not start');
    const file = parseHttpFile(await readFile(path.join(repoRoot, 'test.http'), 'utf8'));
    // The file's tenant and API audience are the demo tenant's; only the hosts differ (free ports here).
    expect(file.variables.tenant).toBe(stack.emulator.env.AUTH_TENANT_ID);
    expect(file.variables.audience).toBe(stack.emulator.env.AUTH_AUDIENCE);
    const answers = await runHttpFile(file, { api: `${stack.url}/api`, emulator: stack.emulator.url });
    const summary = answers.map((a) => `${a.status} ${a.request.method} ${a.request.title}`);
    expect(
      answers.every((a) => a.status === 200 || a.status === 202),
      summary.join('\n'),
    ).toBe(true);
    const calls = answers.map((a) => `${a.request.method} ${a.request.url.replace(/\{\{[^}]+\}\}/g, '…')}`);
    for (const call of [
      'POST …/…/oauth2/v2.0/token',
      'POST …/resets',
      'GET …/resets/…',
      'POST …/resets/…/approve',
      'GET …/resets/…?format=csv',
      'POST …/resets/…/cancel',
    ]) {
      expect(calls).toContain(call);
    }
    const exported = answers.find((a) => a.request.url.endsWith('?format=csv'));
    expect(String(exported?.body)).toMatch(/^index,user,/);
  });
});

describe('.vscode', () => {
  it('launches and runs what exists: npm scripts, tasks and build outputs of sources', async () => {
    const json = async <T>(file: string): Promise<T> =>
      JSON.parse(await readFile(path.join(repoRoot, file), 'utf8')) as T;
    const scripts = (await json<{ scripts: Record<string, string> }>('package.json')).scripts;
    const { tasks } = await json<{ tasks: { label: string; type: string; script?: string }[] }>('.vscode/tasks.json');
    const { configurations } = await json<{
      configurations: { runtimeArgs?: string[]; program?: string; preLaunchTask?: string }[];
    }>('.vscode/launch.json');
    for (const task of tasks.filter((t) => t.type === 'npm'))
      expect(scripts, task.label).toHaveProperty(task.script ?? '');
    const labels = tasks.map((t) => t.label);
    for (const c of configurations) {
      if (c.preLaunchTask) expect(labels).toContain(c.preLaunchTask);
      if (c.runtimeArgs?.[0]) expect(scripts).toHaveProperty(c.runtimeArgs[0]);
      const program = c.program?.replace('${workspaceFolder}/', '');
      if (program?.startsWith('dist/')) {
        expect(existsSync(path.join(repoRoot, program.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), program).toBe(
          true,
        );
      } else if (program) {
        expect(existsSync(path.join(repoRoot, program)), program).toBe(true);
      }
    }
    expect(configurations.some((c) => c.runtimeArgs?.[0] === 'start')).toBe(true);
    expect(configurations.some((c) => c.program?.endsWith('dist/dev/harness/cli.js'))).toBe(true);
  });
});
