// Random JSON bodies and CSV files sent to POST /api/resets through HTTP (the running host, real Azurite): each gets
// a 4xx application/problem+json or a valid 202, never a 5xx. Bounded in `npm test`; HARDEN_FULL=1 sends 10,000.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, demoTenant } from '../../dev/graph-emulator/index.js';
import { startStack, type HttpAnswer, type Stack } from '../reliability/support/stack.js';
import { csvInputArb, jsonInputArb, type GeneratedInput } from './input-arbitraries.js';
import { propertyRuns } from './property-runs.js';

let stack: Stack;
let token: string;
const knownUsers = [DEMO_USERS.plain, DEMO_USERS.defaultPush, DEMO_USERS.everything, DEMO_USERS.breakGlass];
const tally = { accepted: 0, refused: new Map<number, number>() };

beforeAll(async () => {
  // Intake only: the inputs are stored and queued, nothing resets anyone.
  stack = await startStack({ fixture: demoTenant(), hostEnv: { MFA_RESET_FUNCTIONS: 'intake' } });
  await stack.startHost();
  token = await stack.token();
});
afterAll(async () => {
  await stack?.stop();
});

function checkAnswer(input: GeneratedInput, r: HttpAnswer): void {
  const context = `${r.status} for ${input.contentType} ${JSON.stringify(input.body).slice(0, 300)}: ${r.text.slice(0, 300)}`;
  expect(r.status, context).toBeLessThan(500);
  if (r.status === 202) {
    tally.accepted += 1;
    const body = r.json as { id: string; status: string; items: number };
    expect(body.id, context).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.status, context).toBe('queued');
    expect(body.items, context).toBeGreaterThan(0);
    expect(r.headers.get('location'), context).toMatch(new RegExp(`/api/resets/${body.id}$`));
    expect(Number(r.headers.get('retry-after')), context).toBeGreaterThan(0);
    return;
  }
  expect(r.status, context).toBeGreaterThanOrEqual(400);
  tally.refused.set(r.status, (tally.refused.get(r.status) ?? 0) + 1);
  expect(r.headers.get('content-type'), context).toMatch(/^application\/problem\+json/);
  const problem = r.json as { type: string; title: string; status: number; detail?: string };
  expect(problem.status, context).toBe(r.status);
  expect(problem.type, context).toMatch(/^urn:mfa-reset:problem:/);
  expect(typeof problem.title, context).toBe('string');
}

const send = (input: GeneratedInput): Promise<HttpAnswer> =>
  stack.submit(input.body, {
    token,
    contentType: input.contentType,
    ...(input.idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': input.idempotencyKey } }),
  });

describe('POST /api/resets with generated inputs', () => {
  const runs = propertyRuns.http;
  it(
    `answers ${runs} random JSON bodies and CSV files with a 4xx problem or a valid 202, never a 5xx`,
    { timeout: runs * 60 + 60_000 },
    async () => {
      const inputArb = fc.oneof(
        { weight: 3, arbitrary: jsonInputArb(knownUsers) },
        { weight: 2, arbitrary: csvInputArb(knownUsers) },
      );
      // Concurrency as a busy ITSM would: batches of inputs in flight together.
      await fc.assert(
        fc.asyncProperty(fc.array(inputArb, { minLength: 10, maxLength: 10 }), async (batch) => {
          const answers = await Promise.all(batch.map(send));
          answers.forEach((a, i) => checkAnswer(batch[i], a));
        }),
        { numRuns: runs / 10, seed: Number(process.env.HARDEN_SEED ?? 20261127), endOnFailure: true },
      );
      expect(tally.accepted).toBeGreaterThan(runs / 20);
      console.log(
        `intake-http: ${runs} inputs, ${tally.accepted} accepted (202), refused: ${JSON.stringify(Object.fromEntries(tally.refused))}`,
      );
    },
  );

  it('refuses an oversized body with 413 and an unknown media type with 415, as problems', async () => {
    const big = await stack.submit(`{"user":"${'a'.repeat(9 * 1024 * 1024)}@contoso.example"}`, { token });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const xml = await stack.submit('<reset user="x"/>', { token, contentType: 'application/xml' });
    expect(xml.status).toBe(415);
    expect(xml.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
