// Nothing secret leaks (security.md requirements 11 and 28): users whose methods carry sentinel phone numbers,
// e-mail addresses and a Temporary Access Pass value are reset end to end (a full reset that also issues a new pass,
// a dry run, a phone-only reset, a CSV bulk, with Graph faults on the way). Every log line of the host process (its
// telemetry events are lines too), every row of the state table (audit rows included) and every API answer and CSV
// export is searched: no
// sentinel appears, except the issued pass in the one answer that reveals it to its submitter. The client address is
// audit evidence: it is in the audit rows and in no log line or API answer.
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTenant, type FixtureMethod, type FixtureUser } from '../../dev/graph-emulator/index.js';
import { DEFAULT_TABLE_NAME } from '../../src/lib/store/index.js';
import { startStack, type Stack } from '../reliability/support/stack.js';

const T = (name: string): string => `#microsoft.graph.${name}AuthenticationMethod`;
const sentinel = {
  phones: ['+44 7700 900471', '+44 7700 900482', '+1 (555) 010-7391'],
  emails: ['leak.sentinel.m4x@recovery.example', 'leak.sentinel.mail@contoso.example'],
  tap: 'TAPSENTINEL9Q7W',
};
const clientAddress = '198.51.100.77';
const phoneIds = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
};

function leakyUser(n: number): FixtureUser {
  const id = `5e000000-0000-4000-8000-00000000000${n}`;
  const methods: FixtureMethod[] = [
    {
      '@odata.type': T('phone'),
      id: phoneIds.mobile,
      phoneNumber: sentinel.phones[0],
      phoneType: 'mobile',
      smsSignInState: 'ready',
    },
    {
      '@odata.type': T('phone'),
      id: phoneIds.alternateMobile,
      phoneNumber: sentinel.phones[1],
      phoneType: 'alternateMobile',
      smsSignInState: 'notSupported',
    },
    {
      '@odata.type': T('phone'),
      id: phoneIds.office,
      phoneNumber: sentinel.phones[2],
      phoneType: 'office',
      smsSignInState: 'notSupported',
    },
    { '@odata.type': T('email'), id: '3ddfcfc8-9383-446f-83cc-3ab9be4be18f', emailAddress: sentinel.emails[0] },
    {
      '@odata.type': T('microsoftAuthenticator'),
      id: `5e00000${n}-aaaa-4000-8000-000000000001`,
      displayName: 'Pixel 8',
      deviceTag: 'SoftwareTokenActivated',
      phoneAppVersion: '6.8.17',
    },
    {
      '@odata.type': T('temporaryAccessPass'),
      id: `5e00000${n}-bbbb-4000-8000-000000000002`,
      temporaryAccessPass: sentinel.tap,
      lifetimeInMinutes: 60,
      isUsableOnce: true,
      isUsable: true,
      methodUsabilityReason: 'Enabled',
      startDateTime: new Date().toISOString(),
      createdDateTime: new Date().toISOString(),
    },
  ];
  return {
    id,
    userPrincipalName: `leak.user${n}@contoso.example`,
    displayName: `Leak Test ${n}`,
    mail: sentinel.emails[1],
    methods,
    preferredMethod: 'push',
  };
}

const leaky = [1, 2, 3, 4].map(leakyUser);
const base = demoTenant();
let stack: Stack;
const answers: string[] = [];

beforeAll(async () => {
  stack = await startStack({ fixture: { ...base, users: [...base.users, ...leaky] } });
  await stack.startHost();
});
afterAll(async () => {
  await stack?.stop();
});

/** Every form a sentinel could take in text: as given, and with the separators of phone numbers removed. */
function findSentinels(haystack: string): string[] {
  const compact = haystack.replace(/[\s()\-.]/g, '');
  const found: string[] = [];
  for (const phone of sentinel.phones) {
    const digits = phone.replace(/\D/g, '');
    if (haystack.includes(phone) || compact.includes(digits) || compact.includes(digits.slice(-9))) found.push(phone);
  }
  for (const email of sentinel.emails) if (haystack.toLowerCase().includes(email.toLowerCase())) found.push(email);
  if (haystack.toUpperCase().includes(sentinel.tap)) found.push('TAP value');
  return found;
}

describe('sentinel secrets', () => {
  it(
    'appear in no log line, no stored row and no API answer after end-to-end resets',
    { timeout: 150_000 },
    async () => {
      // The pass the full reset asks for gets the sentinel as its value.
      const policy = await stack.emulator.control('PUT', 'policies/temporaryAccessPass', { fixedValue: sentinel.tap });
      expect(policy.status).toBe(200);
      // Faults on the way make the worker log retries, deferrals and Graph errors too.
      await stack.emulator.setFaults({ seed: 7, rates: { '429': 0.1, '503': 0.1, reset: 0.05 }, retryAfter: 1 });
      const submissions = [
        stack.submit(
          {
            user: leaky[0].userPrincipalName,
            ticket: 'INC0800001',
            reason: 'lost_device',
            options: { temporaryAccessPass: { lifetimeMinutes: 60, isUsableOnce: true } },
          },
          { headers: { 'x-forwarded-for': `${clientAddress}:50400` } },
        ),
        stack.submit({ user: leaky[1].id, ticket: 'INC0800002', reason: 'lost_device', options: { dryRun: true } }),
        stack.submit({
          user: leaky[2].userPrincipalName,
          ticket: 'INC0800003',
          reason: 'new_device',
          options: { methods: ['phone'] },
        }),
        stack.submit(
          `user,ticket,reason,requestedBy\r\n${leaky[3].userPrincipalName},INC0800004,compromised,agent@contoso.example\r\n`,
          { contentType: 'text/csv' },
        ),
      ];
      const ids: string[] = [];
      for (const s of await Promise.all(submissions)) {
        answers.push(s.text);
        expect(s.status, s.text).toBe(202);
        ids.push((s.json as { id: string }).id);
      }
      // The first read of the finished full reset reveals the pass: that answer alone may hold it.
      const revealed = JSON.stringify(await stack.waitCompleted(ids[0], 60_000));
      for (const id of ids) {
        if (id !== ids[0]) answers.push(JSON.stringify(await stack.waitCompleted(id, 60_000)));
        answers.push((await stack.get(`/api/resets/${id}`)).text);
        answers.push((await stack.get(`/api/resets/${id}?format=csv`)).text);
      }
      answers.push((await stack.get(`/api/resets/${ids[0]}/items/0/tap`)).text);
      await stack.emulator.setFaults(null);
      // The resets really happened: the phones are gone for the full reset, and kept by the dry run.
      const full = await stack.emulator.user(leaky[0].id);
      expect(full.methods.some((m) => m['@odata.type'] === T('phone'))).toBe(false);
      const dry = await stack.emulator.user(leaky[1].id);
      expect(dry.methods.filter((m) => m['@odata.type'] === T('phone'))).toHaveLength(3);

      await stack.stopHost(); // flush: every line the process wrote is captured
      const logLines = stack.hostLines;
      const table = TableClient.fromConnectionString(stack.azurite.connectionString, DEFAULT_TABLE_NAME, {
        allowInsecureConnection: true,
      });
      const rows: string[] = [];
      for await (const row of table.listEntities<Record<string, unknown>>()) rows.push(JSON.stringify(row));
      const audit = (await Promise.all(ids.map((id) => stack.store.listAudit(id))))
        .flat()
        .map((e) => JSON.stringify(e));

      // The capture works: the haystacks hold what they should (method ids, outcomes, audit events).
      expect(logLines.length).toBeGreaterThan(20);
      expect(audit.some((a) => a.includes('ResetCompleted'))).toBe(true);
      expect(answers.join('\n')).toContain(phoneIds.mobile);
      expect(rows.join('\n')).toContain(phoneIds.mobile);

      const leaks = [
        ...logLines.map((l, i) => ({ where: `log line ${i + 1}`, found: findSentinels(l) })),
        ...rows.map((r, i) => ({ where: `table row ${i + 1}`, found: findSentinels(r) })),
        ...audit.map((a, i) => ({ where: `audit row ${i + 1}`, found: findSentinels(a) })),
        ...answers.map((a, i) => ({ where: `API answer ${i + 1}`, found: findSentinels(a) })),
      ].filter((l) => l.found.length > 0);
      expect(leaks).toEqual([]);
      // The pass was issued, and shown in that one answer, once.
      expect(findSentinels(revealed)).toEqual(['TAP value']);
      expect(revealed).toContain(`"value":"${sentinel.tap}"`);
      expect(audit.some((a) => a.includes('"TapIssued"'))).toBe(true);
      expect(audit.some((a) => a.includes('"TapRevealed"'))).toBe(true);
      expect(audit.filter((a) => a.includes(`"clientAddress":"${clientAddress}"`)).length).toBeGreaterThan(2);
      const addressSeen = [...logLines, ...answers].filter((l) => l.includes(clientAddress));
      expect(addressSeen).toEqual([]);
      console.log(
        `secret-leaks: searched ${logLines.length} log lines, ${rows.length} table rows, ${audit.length} audit rows, ` +
          `${answers.length} API answers for ${sentinel.phones.length + sentinel.emails.length + 1} sentinels: none found`,
      );
    },
  );
});
