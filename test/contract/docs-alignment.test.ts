// The integration guides must not drift from the code: KQL names from the telemetry port, the Logic Apps sample's
// shape and authentication, the bulk template's columns, and links between the documents.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { structuredLine } from '../../src/lib/telemetry/log-record.js';
import { telemetryEvents, telemetryMetrics } from '../../src/lib/telemetry/telemetry.js';
import { kqlErrors } from './support/kql.js';
import { loadSpec } from './support/openapi.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (relative: string): Promise<string> => readFile(path.join(root, relative), 'utf8');
const guides = ['docs/servicenow.md', 'docs/logic-apps.md', 'docs/bulk.md', 'docs/operations.md'];

describe('docs/operations.md and the telemetry port', () => {
  it('queries only event and metric names the service emits, and documents every one of them', async () => {
    const doc = await read('docs/operations.md');
    const emitted = new Set<string>([...Object.values(telemetryEvents), ...Object.values(telemetryMetrics)]);
    const mentioned = new Set([...doc.matchAll(/\b(MfaReset\.[A-Za-z]+|mfa_reset(?:\.[a-z_]+)+)\b/g)].map((m) => m[1]));
    expect([...mentioned].filter((name) => name && !emitted.has(name))).toEqual([]);
    expect([...emitted].filter((name) => !mentioned.has(name))).toEqual([]);
  });

  it("reads the intake's accepted-request log line by the attributes the intake's line becomes", async () => {
    const doc = await read('docs/operations.md');
    const source = await read('src/functions/resets-submit.ts');
    expect(doc).toContain('message == "reset_request_created"');
    for (const key of ['items', 'source', 'app']) expect(doc).toContain(`customDimensions.${key})`);
    expect(source).toMatch(
      /event=reset_request_\$\{result\.kind\} requestId=\$\{[^}]+\} items=\$\{[^}]+\} source=\$\{[^}]+\} app=\$\{/,
    );
    expect(structuredLine('event=reset_request_created requestId=r1 items=3 source=csv app=a1')).toEqual({
      body: 'reset_request_created',
      attributes: { event: 'reset_request_created', requestId: 'r1', items: '3', source: 'csv', app: 'a1' },
    });
  });

  it('has KQL that the Kusto analyser accepts against the Application Insights tables (blocks and alert rules)', async () => {
    const doc = await read('docs/operations.md');
    const blocks = [...doc.matchAll(/```kusto\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    // The alert rule's query, as the az CLI (double-quoted) and Bicep (single-quoted) examples embed it.
    const cli = [...doc.matchAll(/--condition-query \w+="([^"]+)"/g)].map((m) => m[1] ?? '');
    const bicep = [...doc.matchAll(/^\s*query: '([^']+)'/gm)].map((m) => m[1] ?? '');
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(cli).toHaveLength(1);
    expect(bicep).toHaveLength(1);
    const problems = [...blocks, ...cli, ...bicep].flatMap((query) =>
      kqlErrors(query).map((error) => `${error}\n  in: ${query.split('\n')[0] ?? ''}…`),
    );
    expect(problems).toEqual([]);
    // The analyser itself must catch mistakes, or the check above proves nothing.
    expect(kqlErrors('customEvents | where nmae == "x"')).not.toEqual([]);
  });
});

interface WorkflowAction {
  type: string;
  runAfter?: Record<string, string[]>;
  inputs?: Record<string, unknown>;
  operationOptions?: string;
}

describe('docs/samples/logic-app-reset.json', () => {
  async function workflow(): Promise<{
    definition: { $schema: string; triggers: Record<string, unknown>; actions: Record<string, WorkflowAction> };
    kind: string;
  }> {
    return JSON.parse(await read('docs/samples/logic-app-reset.json')) as never;
  }

  it('is a stateful workflow definition whose run-after graph names only its own actions', async () => {
    const { definition, kind } = await workflow();
    expect(kind).toBe('Stateful');
    expect(definition.$schema).toBe(
      'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
    );
    expect(Object.keys(definition.triggers)).toHaveLength(1);
    const names = new Set(Object.keys(definition.actions));
    const statuses = new Set(['Succeeded', 'Failed', 'Skipped', 'TimedOut']);
    for (const [name, action] of Object.entries(definition.actions)) {
      for (const [before, when] of Object.entries(action.runAfter ?? {})) {
        expect(names.has(before), `${name} runs after unknown ${before}`).toBe(true);
        expect(
          when.every((status) => statuses.has(status)),
          `${name} run-after statuses`,
        ).toBe(true);
      }
    }
  });

  it('calls the API with managed identity for the API audience (not ARM) and keeps the asynchronous pattern on', async () => {
    const { definition } = await workflow();
    const http = Object.values(definition.actions).filter((action) => action.type === 'Http');
    expect(http.length).toBeGreaterThan(0);
    const spec = await loadSpec();
    const documented = Object.keys(spec.definitions.ResetSubmission?.properties ?? {});
    for (const action of http) {
      expect(action.inputs?.authentication).toEqual({
        type: 'ManagedServiceIdentity',
        audience: "@{parameters('mfaResetAudience')}",
      });
      expect(action.operationOptions ?? '').not.toContain('DisableAsyncPattern');
      expect(action.inputs?.uri).toBe("@{parameters('mfaResetBaseUrl')}/api/resets");
      expect(action.inputs?.headers).toHaveProperty('Idempotency-Key');
      expect(Object.keys(action.inputs?.body as object).filter((key) => !documented.includes(key))).toEqual([]);
    }
    const audience = (definition as { parameters?: Record<string, { defaultValue?: string }> }).parameters
      ?.mfaResetAudience?.defaultValue;
    expect(audience).toBe('api://API_APP_ID');
  });
});

describe('docs/samples/bulk-template.csv', () => {
  it('has the documented columns and one user per row', async () => {
    const [header, ...rows] = (await read('docs/samples/bulk-template.csv')).trimEnd().split('\n');
    expect(header).toBe('user,ticket,reason,requestedBy');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.split(',')).toHaveLength(4);
  });
});

describe('links in the integration guides', () => {
  it('point at files that exist', async () => {
    const broken: string[] = [];
    for (const guide of guides) {
      const text = await read(guide);
      for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        if (!target || /^[a-z]+:/i.test(target)) continue;
        if (!existsSync(path.join(root, path.dirname(guide), target))) broken.push(`${guide} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
