import { describe, expect, it } from 'vitest';
import {
  fingerprint,
  idempotencyKey,
  optionsFromQuery,
  parseIdempotencyHeader,
  parseJsonRequest,
  type ParsedRequest,
} from '../../src/lib/requests/index.js';

const base = { ticket: 'INC0012345', reason: 'lost_device' };
const ok = (body: unknown): ParsedRequest => {
  const r = parseJsonRequest(body, 10);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.request;
};
const errorsOf = (body: unknown) => {
  const r = parseJsonRequest(body, 10);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

describe('JSON request validation', () => {
  it('accepts UPNs (guests too) and object ids, lower-cased, with default options', () => {
    const r = ok({
      ...base,
      users: [
        'Alice@Contoso.com',
        'bob_fabrikam.com#EXT#@contoso.onmicrosoft.com',
        '0B7E1A2C-1111-2222-3333-444455556666',
      ],
    });
    expect(r.items.map((i) => i.userKey)).toEqual([
      'alice@contoso.com',
      'bob_fabrikam.com#ext#@contoso.onmicrosoft.com',
      '0b7e1a2c-1111-2222-3333-444455556666',
    ]);
    expect(r.options).toEqual({ methods: 'all', keep: [], revokeSessions: true, dryRun: false });
  });

  it.each([
    ['no domain', 'alice'],
    ['two @', 'a@b@contoso.com'],
    ['spaces', 'alice smith@contoso.com'],
    ['single-label domain', 'alice@localhost'],
    ['leading dot', '.alice@contoso.com'],
    ['double dot', 'al..ice@contoso.com'],
    ['quotes', '"alice"@contoso.com'],
    ['OData injection', "alice@contoso.com' or 1 eq 1"],
    ['path traversal', '../users/alice@contoso.com'],
    ['too long', `${'a'.repeat(110)}@contoso.com`],
    ['not quite a GUID', '0b7e1a2c-1111-2222-3333-44445555666'],
  ])('refuses a user with %s', (_name, user) => {
    expect(errorsOf({ ...base, user })).toEqual([
      { field: 'user', message: 'must be a user principal name (name@domain) or an object id (GUID)' },
    ]);
  });

  it('refuses bad tickets, reasons, requestedBy and empty or oversized user lists', () => {
    expect(
      errorsOf({ user: 'a@contoso.com', ticket: ' ', reason: 'x', requestedBy: 'nobody' }).map((e) => e.field),
    ).toEqual(['ticket', 'reason', 'requestedBy']);
    expect(errorsOf({ ...base, user: 'a@contoso.com', ticket: 'INC<script>' })[0]?.field).toBe('ticket');
    expect(errorsOf({ ...base, users: [] })).toEqual([{ field: 'users', message: 'must list at least one user' }]);
    const eleven = Array.from({ length: 11 }, (_, i) => `u${i}@contoso.com`);
    expect(errorsOf({ ...base, users: eleven })).toEqual([
      { field: 'users', message: 'must not list more than 10 users' },
    ]);
    expect(errorsOf({ ...base, user: 'a@contoso.com', users: ['b@contoso.com'] })[0]?.field).toBe('users');
    expect(errorsOf({ ...base })[0]?.field).toBe('user');
    expect(errorsOf([{ ...base }])).toEqual([{ field: '(body)', message: 'must be a JSON object' }]);
  });

  it('validates options: method lists, never the password, keep, booleans, no unknown keys', () => {
    expect(
      ok({
        ...base,
        user: 'a@contoso.com',
        options: { methods: ['softwareOath', 'phone', 'phone'], keep: ['password'] },
      }).options,
    ).toEqual({
      methods: ['phone', 'softwareOath'],
      keep: ['password'],
      revokeSessions: true,
      dryRun: false,
    });
    expect(ok({ ...base, user: 'a@contoso.com', options: { methods: 'portal', dryRun: true } }).options.methods).toBe(
      'portal',
    );
    expect(errorsOf({ ...base, user: 'a@contoso.com', options: { methods: ['password'] } })[0]?.field).toBe(
      'options.methods',
    );
    expect(errorsOf({ ...base, user: 'a@contoso.com', options: { methods: [] } })[0]?.field).toBe('options.methods');
    expect(errorsOf({ ...base, user: 'a@contoso.com', options: { keep: ['sms'] } })[0]?.field).toBe('options.keep.0');
    expect(errorsOf({ ...base, user: 'a@contoso.com', options: { skipApproval: true } })).toEqual([
      { field: 'options.skipApproval', message: 'is not a known field' },
    ]);
  });

  it('reads CSV options from the query string', () => {
    expect(
      optionsFromQuery(new URLSearchParams('methods=phone,fido2&keep=email&dryRun=true&revokeSessions=false')),
    ).toEqual({
      ok: true,
      options: { methods: ['fido2', 'phone'], keep: ['email'], revokeSessions: false, dryRun: true },
    });
    const bad = optionsFromQuery(new URLSearchParams('dryRun=yes&methods=sms'));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.field).sort()).toEqual(['query.dryRun', 'query.methods']);
  });
});

describe('idempotency', () => {
  const caller = { tenantId: 't', appId: 'a', objectId: 'o' };
  it('keys the natural form on caller, tickets, users and dryRun; the fingerprint on everything', () => {
    const a = ok({ ...base, users: ['a@contoso.com', 'b@contoso.com'] });
    const reordered = ok({ ...base, users: ['B@contoso.com', 'a@contoso.com'] });
    const otherReason = ok({ ...base, reason: 'other', users: ['a@contoso.com', 'b@contoso.com'] });
    const dry = ok({ ...base, users: ['a@contoso.com', 'b@contoso.com'], options: { dryRun: true } });
    expect(idempotencyKey(caller, reordered)).toBe(idempotencyKey(caller, a));
    expect(fingerprint(reordered)).toBe(fingerprint(a));
    expect(idempotencyKey(caller, otherReason)).toBe(idempotencyKey(caller, a));
    expect(fingerprint(otherReason)).not.toBe(fingerprint(a));
    expect(idempotencyKey(caller, dry)).not.toBe(idempotencyKey(caller, a));
    expect(idempotencyKey({ ...caller, appId: 'b' }, a)).not.toBe(idempotencyKey(caller, a));
    expect(idempotencyKey(caller, a, 'k1')).not.toBe(idempotencyKey(caller, a));
  });

  it('parses the Idempotency-Key header', () => {
    expect(parseIdempotencyHeader(null)).toEqual({ ok: true });
    expect(parseIdempotencyHeader('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toEqual({
      ok: true,
      key: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    });
    expect(parseIdempotencyHeader('has space')).toEqual({ ok: false });
    expect(parseIdempotencyHeader('x'.repeat(256))).toEqual({ ok: false });
  });
});
