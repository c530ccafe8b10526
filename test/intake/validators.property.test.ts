import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultResetOptions } from '../../src/lib/domain/index.js';
import { resetReasons } from '../../src/lib/domain/index.js';
import { parseCsvRequest, parseJsonRequest } from '../../src/lib/requests/index.js';

const upn = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}[a-z0-9]$/), fc.constantFrom('contoso.com', 'fabrikam.example'))
  .filter(([local]) => !local.includes('..') && !/[.]$/.test(local) && !/^[.]/.test(local))
  .map(([local, domain]) => `${local}@${domain}`);
const guid = fc.uuid();
const ticket = fc.stringMatching(/^[A-Z]{3}[0-9]{4,10}$/);
const reason = fc.constantFrom(...resetReasons);

const validBody = fc
  .record(
    {
      users: fc.array(fc.oneof(upn, guid), { minLength: 1, maxLength: 5 }),
      ticket,
      reason,
      requestedBy: upn,
      options: fc.record(
        {
          methods: fc.oneof(fc.constant('all'), fc.constant('portal'), fc.constant(['phone', 'softwareOath'])),
          keep: fc.constant(['fido2']),
          revokeSessions: fc.boolean(),
          dryRun: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['users', 'ticket', 'reason'] },
  )
  // A compromised account always has its sessions revoked: asking otherwise is a 400, not a valid body.
  .filter((b) => !(b.reason === 'compromised' && b.options?.revokeSessions === false));

describe('JSON validation', () => {
  it('never throws on arbitrary JSON: a result or a list of problems', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseJsonRequest(value, 100);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) expect(typeof e.message).toBe('string');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on bodies shaped like requests with random values', () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.string(), upn, ticket);
    fc.assert(
      fc.property(
        fc.record(
          {
            user: anyValue,
            users: fc.array(anyValue),
            ticket: anyValue,
            reason: anyValue,
            options: fc.dictionary(fc.constantFrom('methods', 'keep', 'dryRun', 'x'), anyValue),
          },
          { requiredKeys: [] },
        ),
        (body) => {
          expect(() => parseJsonRequest(body, 100)).not.toThrow();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('accepts valid bodies, and refuses any extra key', () => {
    fc.assert(
      fc.property(validBody, fc.string({ minLength: 1, maxLength: 12 }), (body, extra) => {
        const result = parseJsonRequest(body, 100);
        expect(result.ok).toBe(true);
        if (result.ok) {
          expect(result.request.items.length + result.request.duplicates).toBe(body.users.length);
          expect(new Set(result.request.items.map((i) => i.userKey)).size).toBe(result.request.items.length);
        }
        fc.pre(!(extra in body) && extra !== '__proto__');
        const withExtra = parseJsonRequest({ ...body, [extra]: 1 }, 100);
        expect(withExtra.ok).toBe(false);
        if (!withExtra.ok) expect(withExtra.errors).toContainEqual({ field: extra, message: 'is not a known field' });
      }),
      { numRuns: 300 },
    );
  });
});

describe('CSV validation', () => {
  it('never throws on arbitrary text: a result or problems with line numbers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 400 }), async (text) => {
        const chunks = [Buffer.from(`user,ticket,reason\n${text}`)];
        const result = await parseCsvRequest(chunks, { maxRows: 50, resetOptions: defaultResetOptions });
        if (!result.ok) {
          expect(result.totalErrors).toBeGreaterThanOrEqual(result.errors.length);
          expect(result.errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
