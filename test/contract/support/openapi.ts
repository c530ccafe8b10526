// Loads api/openapi.yaml and turns its OpenAPI 2.0 response schemas into JSON Schema that ajv can check bodies against.
// 2.0 schemas are a JSON Schema subset plus vendor keys (x-ms-*), so the conversion drops vendor keys and rewrites
// $refs into one shared schema document. In strict mode every object with declared properties also gets
// additionalProperties: false, so a field the service returns but the spec does not document fails the contract test.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { guidPattern } from '../../../src/lib/domain/index.js';

export const specPath = fileURLToPath(new URL('../../../api/openapi.yaml', import.meta.url));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Spec {
  readonly swagger: string;
  readonly basePath: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly definitions: Record<string, JsonObject>;
  readonly [key: string]: unknown;
}

export interface Operation {
  readonly operationId: string;
  readonly summary?: string;
  readonly description?: string;
  readonly consumes?: string[];
  readonly produces?: string[];
  readonly parameters?: Array<Record<string, unknown>>;
  readonly responses: Record<string, Response>;
  readonly [key: string]: unknown;
}

export interface Response {
  readonly description: string;
  readonly schema?: JsonObject;
  readonly headers?: Record<string, { type: string; description?: string }>;
}

export async function loadSpec(): Promise<Spec> {
  return parse(await readFile(specPath, 'utf8')) as Spec;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAPI 2.0 schema → JSON Schema (draft-07 superset is fine: 2.0 uses none of the keywords that changed). */
export function toJsonSchema(schema: Json, strict: boolean): Json {
  if (Array.isArray(schema)) return schema.map((entry) => toJsonSchema(entry, strict));
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-') || key === 'example' || key === 'discriminator' || key === 'readOnly') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace(/^#\/definitions\//, 'openapi#/definitions/');
    } else if (key === 'properties' && isObject(value)) {
      // Property names are data, not keywords: convert each property's schema, keep every name.
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub, strict)]),
      );
    } else {
      out[key] = toJsonSchema(value, strict);
    }
  }
  if (schema['x-nullable'] === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (strict && isObject(out.properties) && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

export interface BodyValidator {
  /** Validates a response body against the spec's schema for (operationId, status); returns readable errors. */
  check(operationId: string, status: number, body: unknown): string[];
  operation(operationId: string): { path: string; method: string; operation: Operation };
  /** Validates a value against one of the spec's definitions (e.g. a request body against ResetSubmission). */
  checkDefinition(name: string, value: unknown): string[];
}

export function createBodyValidator(spec: Spec, options: { strict: boolean }): BodyValidator {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The formats the spec uses; ajv-formats is not a dependency and these two are all we need.
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i);
  ajv.addFormat('uuid', guidPattern);
  ajv.addSchema({ $id: 'openapi', definitions: toJsonSchema(spec.definitions, options.strict) }, 'openapi');
  const compiled = new Map<string, ValidateFunction>();

  function operation(operationId: string): { path: string; method: string; operation: Operation } {
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (op.operationId === operationId) return { path, method, operation: op };
      }
    }
    throw new Error(`operation ${operationId} is not in the spec`);
  }

  return {
    operation,
    checkDefinition(name, value) {
      const key = `#/definitions/${name}`;
      let validate = compiled.get(key);
      if (!validate) {
        if (!spec.definitions[name]) return [`the spec has no definition ${name}`];
        validate = ajv.compile({ $ref: `openapi${key}` });
        compiled.set(key, validate);
      }
      return validate(value) ? [] : (validate.errors ?? []).map((error: ErrorObject) => describe(error));
    },
    check(operationId, status, body) {
      const key = `${operationId} ${status}`;
      let validate = compiled.get(key);
      if (!validate) {
        const response = operation(operationId).operation.responses[String(status)];
        if (!response) return [`${operationId} does not document status ${status}`];
        if (!response.schema) return body === undefined || body === '' ? [] : [`${key} documents no body`];
        validate = ajv.compile(toJsonSchema(response.schema, options.strict) as JsonObject);
        compiled.set(key, validate);
      }
      return validate(body) ? [] : (validate.errors ?? []).map((error: ErrorObject) => describe(error));
    },
  };
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(body)';
  const extra = 'additionalProperty' in error.params ? ` "${String(error.params.additionalProperty)}"` : '';
  return `${where} ${error.message ?? 'is invalid'}${extra}`;
}
