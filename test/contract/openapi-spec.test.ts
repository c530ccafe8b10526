// The OpenAPI 2.0 description must stay importable as a Logic Apps / Power Automate custom connector:
// a valid Swagger 2.0 document (checked by swagger-parser), under 1 MB, with the connector extensions on every
// operation and parameter, and the 202 + Location pattern that makes Logic Apps poll.
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { API_SCOPE } from '../../src/lib/domain/index.js';
import { createBodyValidator, loadSpec, specPath } from './support/openapi.js';

const jsonPath = fileURLToPath(new URL('../../api/openapi.json', import.meta.url));
const connectorLimitBytes = 1024 * 1024;

describe('api/openapi.yaml', () => {
  it('is a valid OpenAPI 2.0 document (swagger-parser: schema and spec rules)', async () => {
    const api = await SwaggerParser.validate(specPath);
    expect(api).toHaveProperty('swagger', '2.0');
  });

  it('is under the 1 MB custom-connector limit, as YAML and as JSON', async () => {
    expect((await stat(specPath)).size).toBeLessThan(connectorLimitBytes);
    expect(Buffer.byteLength(JSON.stringify(await loadSpec()))).toBeLessThan(connectorLimitBytes);
  });

  it('api/openapi.json is the same document (run `npx vitest run test/contract -u` after editing the YAML)', async () => {
    const json = JSON.stringify(await loadSpec(), null, 2);
    const pretty = await format(json, { ...(await resolveConfig(jsonPath)), parser: 'json' });
    await expect(pretty).toMatchFileSnapshot(jsonPath);
  });

  it('leaves host, tenant and API app id as placeholders a user replaces, and serves https under /api', async () => {
    const spec = await loadSpec();
    expect(spec.host).toBe('YOUR-FUNCTION-APP.azurewebsites.net');
    expect(spec.basePath).toBe('/api');
    expect(spec.schemes).toEqual(['https']);
    expect(spec.securityDefinitions).toMatchObject({
      entraApp: {
        type: 'oauth2',
        flow: 'application',
        tokenUrl: 'https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token',
        scopes: { 'api://API_APP_ID/.default': expect.any(String) as unknown },
      },
    });
    expect(spec.security).toEqual([
      { entraUser: ['api://API_APP_ID/Resets.Access'] },
      { entraApp: ['api://API_APP_ID/.default'] },
    ]);
  });

  it('offers a custom connector OAuth 2.0 for people first: authorization code with the Resets.Access scope', async () => {
    const spec = await loadSpec();
    // A custom connector takes the first security definition; people sign in with the delegated permission.
    expect(Object.keys(spec.securityDefinitions ?? {})[0]).toBe('entraUser');
    expect(spec.securityDefinitions).toMatchObject({
      entraUser: {
        type: 'oauth2',
        flow: 'accessCode',
        authorizationUrl: 'https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/authorize',
        tokenUrl: 'https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token',
        scopes: { [`api://API_APP_ID/${API_SCOPE}`]: expect.any(String) as unknown },
      },
    });
  });

  it('gives every operation an operationId, summary, description and x-ms-visibility, and every parameter an x-ms-summary', async () => {
    const spec = await loadSpec();
    const missing: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const key of ['operationId', 'summary', 'description', 'x-ms-visibility'] as const) {
          if (!op[key]) missing.push(`${where}: ${key}`);
        }
        for (const parameter of op.parameters ?? []) {
          if (!parameter['x-ms-summary']) missing.push(`${where} parameter ${String(parameter.name)}: x-ms-summary`);
          if (!parameter.description) missing.push(`${where} parameter ${String(parameter.name)}: description`);
        }
        for (const [status, response] of Object.entries(op.responses)) {
          const isError = status.startsWith('4') || status.startsWith('5') || status === 'default';
          if (isError && response.schema?.$ref !== '#/definitions/Problem') {
            missing.push(`${where} ${status}: problem+json schema`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('describes the asynchronous pattern: 202 with Location and Retry-After on submit and on status', async () => {
    const spec = await loadSpec();
    const validator = createBodyValidator(spec, { strict: true });
    for (const operationId of ['SubmitReset', 'GetReset']) {
      const { operation } = validator.operation(operationId);
      expect(Object.keys(operation.responses[202]?.headers ?? {}).sort(), operationId).toEqual([
        'Location',
        'Retry-After',
      ]);
    }
    expect(validator.operation('GetReset').operation.responses[200]).toBeDefined();
  });

  it('accepts JSON and CSV, and answers JSON, problem+json and (export) CSV', async () => {
    const spec = await loadSpec();
    const validator = createBodyValidator(spec, { strict: true });
    const submit = validator.operation('SubmitReset');
    expect(submit).toMatchObject({ path: '/resets', method: 'post' });
    expect(submit.operation.consumes).toEqual(['application/json', 'text/csv']);
    expect(submit.operation.produces).toEqual(['application/json', 'application/problem+json']);
    const status = validator.operation('GetReset');
    expect(status).toMatchObject({ path: '/resets/{id}', method: 'get' });
    expect(status.operation.produces).toEqual(['application/json', 'application/problem+json', 'text/csv']);
  });

  it('compiles every response schema, and the strict validator rejects undocumented fields', async () => {
    const spec = await loadSpec();
    const validator = createBodyValidator(spec, { strict: true });
    const problem = { type: 'about:blank', title: 'Not Found', status: 404 };
    expect(validator.check('GetReset', 404, problem)).toEqual([]);
    expect(validator.check('GetReset', 404, { ...problem, surprise: true })).toEqual([
      '(body) must NOT have additional properties "surprise"',
    ]);
    expect(validator.check('GetReset', 404, { title: 'x' })).not.toEqual([]);
    for (const item of Object.values(spec.paths)) {
      for (const op of Object.values(item)) {
        for (const status of Object.keys(op.responses)) {
          // Compiling happens on first use; an unresolvable $ref or bad keyword throws here.
          expect(() => validator.check(op.operationId, Number(status), null)).not.toThrow();
        }
      }
    }
  });

  it('keeps the text of the file free of tabs and trailing spaces (connector import is picky about YAML)', async () => {
    const text = await readFile(specPath, 'utf8');
    expect(text.includes('\t')).toBe(false);
    expect(text.split('\n').filter((line) => /\s+$/.test(line))).toEqual([]);
  });
});
