// Who asked, verifiably (issue 15, point 2): every audit row of a request (the intake's and the worker's) carries the
// verified requester from the token (tid, azp, oid, idtyp, uti) and the client address the platform recorded in
// X-Forwarded-For, apart from what the caller claimed (requestedBy). A delegated token makes the person the requester,
// by object id only. Operator actions (approve, reject, cancel) carry the actor the same way. Through the harness's
// HTTP server, Azurite, the Graph emulator and the real worker.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, DEMO_USERS } from '../../dev/graph-emulator/index.js';
import { clientCredentialsToken } from '../../dev/stack/api-client.js';
import type { Requester } from '../../src/lib/domain/index.js';
import { addressOf, clientAddressOf } from '../../src/lib/http/client-address.js';
import type { AuditEvent } from '../../src/lib/store/index.js';
import { finalItem, newTicket, startStack, until, type TestStack } from '../e2e/support/stack.js';

let stack: TestStack;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({ env: { APPROVAL_MIN_USERS: '2', APPROVAL_TTL_HOURS: '2' } });
  const { TOKEN_ENDPOINT, AUTH_AUDIENCE } = stack.emulator.env;
  for (const name of ['servicenow', 'logicApp', 'approver', 'operator'] as const) {
    tokens[name] = await clientCredentialsToken(TOKEN_ENDPOINT, DEMO_APPS[name], AUTH_AUDIENCE);
  }
});
afterAll(async () => {
  await stack?.stop();
});

async function call(path: string, token: string, body: object, forwardedFor?: string) {
  const response = await fetch(new URL(path, stack.url), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, text).toBeLessThan(300);
  return JSON.parse(text) as { id: string; status: string };
}

/** What the token proves, as the audit must show it. */
function verifiedBy(token: string, clientAddress?: string): Requester {
  const claims = decodeJwt(token);
  return {
    tenantId: String(claims.tid).toLowerCase(),
    appId: String(claims.azp).toLowerCase(),
    objectId: String(claims.oid),
    identityType: claims.idtyp === 'user' ? 'user' : 'app',
    tokenId: String(claims.uti),
    ...(clientAddress ? { clientAddress } : {}),
  };
}

const auditOf = (id: string): Promise<readonly AuditEvent[]> => stack.app.store.listAudit(id);
const typesOf = (audit: readonly AuditEvent[]) => audit.map((e) => `${e.eventType}:${e.item ?? '-'}`);

describe('the audit names the verified requester', () => {
  it('for an app token: tid, azp, oid, uti and the platform-recorded address on every row, requestedBy as claimed', async () => {
    const token = tokens.servicenow;
    // The first entry is whatever the client sent; the last is the one Azure's front end appends.
    const accepted = await call(
      '/api/resets',
      token,
      {
        user: DEMO_USERS.defaultOath,
        ticket: newTicket(),
        reason: 'lost_device',
        requestedBy: 'agent@contoso.example',
      },
      '198.51.100.10, 203.0.113.50:50123',
    );
    expect((await finalItem(stack.app.store, accepted.id)).outcome).toBe('reset');
    const audit = await auditOf(accepted.id);
    expect(typesOf(audit)).toEqual(
      expect.arrayContaining(['RequestReceived:-', 'RequestEnqueued:-', 'ExecutionStarted:0', 'ResetCompleted:0']),
    );
    const requester = verifiedBy(token, '203.0.113.50');
    expect(requester.identityType).toBe('app');
    for (const event of audit) {
      expect(event.requester, event.eventType).toEqual(requester);
      expect(event.claimed, event.eventType).toEqual({ requestedBy: 'agent@contoso.example' });
      expect(event).not.toHaveProperty('caller');
      expect(event).not.toHaveProperty('requestedBy');
    }
    expect(JSON.stringify(audit)).not.toContain('198.51.100.10');
  });

  it('for a delegated token: the person (by oid) is the requester; their UPN and name appear nowhere', async () => {
    const person = await stack.emulator.user(DEMO_USERS.plain);
    const token = await stack.emulator.mintToken({
      appId: DEMO_APPS.servicenow.appId,
      resource: stack.emulator.env.AUTH_AUDIENCE,
      roles: ['Resets.Submit', 'Resets.Read'],
      user: person.id,
      scp: 'Resets.Access',
    });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ idtyp: 'user', oid: person.id, preferred_username: person.userPrincipalName });
    const accepted = await call(
      '/api/resets',
      token,
      { user: DEMO_USERS.defaultSms, ticket: newTicket(), reason: 'new_device' },
      '[2001:DB8::5]:443',
    );
    expect((await finalItem(stack.app.store, accepted.id)).outcome).toBe('reset');
    const audit = await auditOf(accepted.id);
    expect(typesOf(audit)).toEqual(expect.arrayContaining(['RequestReceived:-', 'ResetCompleted:0']));
    const requester: Requester = {
      tenantId: String(claims.tid).toLowerCase(),
      appId: DEMO_APPS.servicenow.appId.toLowerCase(),
      objectId: person.id,
      identityType: 'user',
      tokenId: String(claims.uti),
      clientAddress: '2001:db8::5',
    };
    for (const event of audit) {
      expect(event.requester, event.eventType).toEqual(requester);
      expect(event, event.eventType).not.toHaveProperty('claimed');
    }
    const text = JSON.stringify(audit).toLowerCase();
    expect(text).not.toContain(person.userPrincipalName.toLowerCase());
    expect(text).not.toContain(String(claims.name).toLowerCase());
  });

  it('omits an address that is not an IP address, a forged one included', async () => {
    for (const forwardedFor of ['not-an-ip', '203.0.113.9, 999.1.1.1', '203.0.113.9, ', 'unknown', '']) {
      const accepted = await call(
        '/api/resets',
        tokens.servicenow,
        { user: DEMO_USERS.plain, ticket: newTicket(), reason: 'other', options: { dryRun: true } },
        forwardedFor,
      );
      const received = (await auditOf(accepted.id)).find((e) => e.eventType === 'RequestReceived');
      expect(received?.requester, forwardedFor).toEqual(verifiedBy(tokens.servicenow));
      expect(JSON.stringify(received), forwardedFor).not.toContain('203.0.113.9');
    }
  });
});

describe('operator actions name their actor the same way', () => {
  const submitWaiting = async (users: string[], forwardedFor: string) => {
    const accepted = await call(
      '/api/resets',
      tokens.logicApp,
      { users, ticket: newTicket(), reason: 'lost_device' },
      forwardedFor,
    );
    expect(accepted.status).toBe('awaiting_approval');
    return accepted.id;
  };

  it('approve, reject and cancel: the actor is the verified decider, the requester stays the submitter', async () => {
    const submitter = verifiedBy(tokens.logicApp, '203.0.113.60');
    const approved = await submitWaiting([DEMO_USERS.defaultPush, DEMO_USERS.defaultVoiceMobile], '203.0.113.60');
    const rejected = await submitWaiting([DEMO_USERS.plain, DEMO_USERS.defaultSms], '203.0.113.60');
    const cancelled = await submitWaiting([DEMO_USERS.plain, DEMO_USERS.defaultOath], '203.0.113.60');

    await call(`/api/resets/${approved}/approve`, tokens.approver, {}, '203.0.113.61');
    await call(`/api/resets/${rejected}/reject`, tokens.approver, { comment: 'not on the change' }, '203.0.113.62');
    await call(`/api/resets/${cancelled}/cancel`, tokens.operator, {}, '198.51.100.1, 203.0.113.63:1234');

    const actions: [string, string, string, Requester][] = [
      [approved, 'RequestApproved', 'ResetCompleted', verifiedBy(tokens.approver, '203.0.113.61')],
      [rejected, 'RequestRejected', 'ItemRejected', verifiedBy(tokens.approver, '203.0.113.62')],
      [cancelled, 'RequestCancelled', 'ItemCancelled', verifiedBy(tokens.operator, '203.0.113.63')],
    ];
    for (const [id, action, itemEvent, actor] of actions) {
      const audit = await until(async () => {
        const rows = await auditOf(id);
        return rows.filter((e) => e.eventType === itemEvent).length === 2 ? rows : undefined;
      }, `${itemEvent} on both items of ${id}`);
      expect(audit.find((e) => e.eventType === action)?.actor, action).toEqual(actor);
      for (const event of audit) expect(event.requester, `${action} ${event.eventType}`).toEqual(submitter);
    }
  });
});

describe('the client address of X-Forwarded-For', () => {
  it('is the last entry, without its port, when that entry is an IP address', () => {
    expect(clientAddressOf('203.0.113.5')).toBe('203.0.113.5');
    expect(clientAddressOf('203.0.113.5:50123')).toBe('203.0.113.5');
    expect(clientAddressOf('10.0.0.1, 198.51.100.2,203.0.113.5:443')).toBe('203.0.113.5');
    expect(clientAddressOf('2001:DB8::1')).toBe('2001:db8::1');
    expect(clientAddressOf('[2001:db8::1]:8443')).toBe('2001:db8::1');
    expect(clientAddressOf('::ffff:203.0.113.5')).toBe('::ffff:203.0.113.5');
    // A long forged prefix cannot push the platform's entry out.
    expect(clientAddressOf(`${'6.6.6.6, '.repeat(2000)}203.0.113.5`)).toBe('203.0.113.5');
  });

  it('is nothing for anything else', () => {
    for (const value of [
      null,
      undefined,
      '',
      ' ',
      'unknown',
      'localhost',
      '203.0.113.5, garbage',
      '203.0.113.5,',
      '256.1.1.1',
      '01.2.3.4',
      '203.0.113.5:99999x',
      '[203.0.113.5]:80',
      'fe80::1%eth0',
      '2001:db8::1:443:x',
      '<script>',
      `[${'0:'.repeat(40)}1]`,
    ]) {
      expect(clientAddressOf(value), String(value)).toBeUndefined();
    }
    expect(addressOf('203.0.113.5 ')).toBe('203.0.113.5');
  });
});
