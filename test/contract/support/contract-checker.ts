// Calls the running API and checks each answer against api/openapi.yaml: the status is documented for the operation,
// the content type is one the operation produces (problem+json for errors), the documented headers are present and
// the body validates against the status's schema (strictly: undocumented fields fail). It also records which
// (operation, status) pairs a test exercised, so the suite can prove it covered every documented answer.
import { expect } from 'vitest';
import { createBodyValidator, type Spec } from './openapi.js';

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string;
  /** Parsed JSON for JSON content types, else the text. */
  readonly body: unknown;
  readonly text: string;
}

export interface CallOptions {
  readonly token?: string;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (!hasContentType) headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.contentType && !hasContentType) {
    headers['content-type'] = options.contentType;
  }
  const response = await fetch(new URL(path, baseUrl), { method, headers, body });
  const text = await response.text();
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const body_ = contentType.endsWith('json') && text ? (JSON.parse(text) as unknown) : text;
  return { status: response.status, headers: response.headers, contentType, body: body_, text };
}

export interface ContractChecker {
  /** Asserts the answer is one the spec documents for `operationId`, and records it as exercised. */
  check(operationId: string, answer: ApiAnswer): void;
  /** Asserts a JSON request body the service accepted is valid against the spec's request schema. */
  checkAcceptedBody(body: unknown): void;
  /** Documented (operation, status) pairs no test has exercised yet. */
  unexercised(): string[];
}

export function createContractChecker(spec: Spec): ContractChecker {
  const validator = createBodyValidator(spec, { strict: true });
  const exercised = new Set<string>();

  return {
    check(operationId, answer) {
      const { operation } = validator.operation(operationId);
      const where = `${operationId} ${answer.status}`;
      const response = operation.responses[String(answer.status)];
      expect(response, `${where} is not documented; body: ${answer.text.slice(0, 500)}`).toBeDefined();
      if (!response) return;

      const produces = operation.produces ?? (spec.produces as string[] | undefined) ?? [];
      expect(produces, `${where}: content type ${answer.contentType}`).toContain(answer.contentType);
      if (answer.status >= 400)
        expect(answer.contentType, `${where}: errors are problem+json`).toBe('application/problem+json');

      for (const header of Object.keys(response.headers ?? {})) {
        expect(answer.headers.get(header), `${where}: header ${header}`).not.toBeNull();
      }
      if (answer.contentType === 'text/csv') {
        // The schema describes the JSON form; a CSV export is checked by the test that asked for it.
        expect(typeof answer.body).toBe('string');
      } else {
        expect(
          validator.check(operationId, answer.status, answer.body),
          `${where}: body ${answer.text.slice(0, 800)}`,
        ).toEqual([]);
      }
      exercised.add(`${operationId} ${answer.status}`);
    },
    checkAcceptedBody(body) {
      expect(validator.checkDefinition('ResetSubmission', body), `request body ${JSON.stringify(body)}`).toEqual([]);
    },
    unexercised() {
      const missing: string[] = [];
      for (const item of Object.values(spec.paths)) {
        for (const op of Object.values(item)) {
          for (const status of Object.keys(op.responses)) {
            // `default` documents unexpected errors (500), which a healthy stack does not produce on purpose.
            if (status === 'default') continue;
            if (!exercised.has(`${op.operationId} ${status}`)) missing.push(`${op.operationId} ${status}`);
          }
        }
      }
      return missing;
    },
  };
}
