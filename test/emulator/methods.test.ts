import type { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_USERS, EMAIL_METHOD_ID, PASSWORD_METHOD_ID, PHONE_IDS } from '../../dev/graph-emulator/index.js';
import { createTestGraphClient, startTestEmulator } from '../support/emulator.js';
import type { TestEmulator } from '../support/emulator.js';

interface Method {
  '@odata.type': string;
  id: string;
  [k: string]: unknown;
}
type List = { '@odata.context': string; value: Method[] };

const T = (name: string): string => `#microsoft.graph.${name}AuthenticationMethod`;

async function graphError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (err) {
    return err as GraphError;
  }
  throw new Error('expected the Graph call to fail');
}

describe('authentication methods', () => {
  let emu: TestEmulator;
  let client: Client;
  const base = (upn: string): string => `/users/${encodeURIComponent(upn)}/authentication`;
  const list = async (upn: string, version: 'v1.0' | 'beta' = 'v1.0'): Promise<Method[]> =>
    (
      (await client
        .api(`${base(upn)}/methods`)
        .version(version)
        .get()) as List
    ).value;

  beforeAll(async () => {
    emu = await startTestEmulator();
    client = createTestGraphClient(emu);
  });
  beforeEach(async () => {
    await emu.reset();
  });
  afterAll(async () => {
    await emu.stop();
  });

  it('lists methods with @odata.context (key as addressed), password first with its fixed id, v1.0 hiding beta-only types', async () => {
    const byUpn = (await client.api(`${base(DEMO_USERS.everything)}/methods`).get()) as List & Record<string, unknown>;
    expect(byUpn['@odata.context']).toBe(
      `${emu.url}/v1.0/$metadata#users('everything.laura%40contoso.example')/authentication/methods`,
    );
    expect(byUpn['@microsoft.graph.tips']).toMatch(/\$select=id/);
    expect(byUpn.value[0]).toEqual({
      '@odata.type': T('password'),
      id: PASSWORD_METHOD_ID,
      password: null,
      createdDateTime: expect.any(String) as unknown,
    });
    const v1Types = new Set(byUpn.value.map((m) => m['@odata.type']));
    expect(v1Types.has(T('hardwareOath'))).toBe(false);
    for (const t of [
      'phone',
      'email',
      'microsoftAuthenticator',
      'fido2',
      'softwareOath',
      'temporaryAccessPass',
      'windowsHelloForBusiness',
      'platformCredential',
      'external',
      'qrCodePin',
    ]) {
      expect(v1Types.has(T(t))).toBe(true);
    }
    const beta = await list(DEMO_USERS.everything, 'beta');
    expect(beta.some((m) => m['@odata.type'] === T('hardwareOath'))).toBe(true);
    const id = (await emu.user(DEMO_USERS.everything)).id;
    const byId = (await client.api(`/users/${id}/authentication/methods`).get()) as List;
    expect(byId['@odata.context']).toContain(`users('${id}')`);
    const tap = byUpn.value.find((m) => m['@odata.type'] === T('temporaryAccessPass'));
    expect(tap?.temporaryAccessPass).toBeNull();
    const selected = (await client
      .api(`${base(DEMO_USERS.plain)}/methods`)
      .select('id')
      .get()) as List;
    expect(Object.keys(selected.value[0]).sort()).toEqual(['@odata.type', 'id']);
    // A user with only the password.
    expect((await list(DEMO_USERS.passwordOnly)).map((m) => m.id)).toEqual([PASSWORD_METHOD_ID]);
  });

  it('rejects $count, unknown users, malformed ids and unknown segments', async () => {
    const count = await graphError(client.api(`${base(DEMO_USERS.plain)}/methods/$count`).get());
    expect(count.statusCode).toBe(400);
    const unknown = await graphError(client.api(`${base('nobody@contoso.example')}/methods`).get());
    expect(unknown).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
    expect(unknown.message).toBe(
      "Resource 'nobody@contoso.example' does not exist or one of its queried reference-property objects are not present.",
    );
    const malformed = await graphError(client.api(`/users/not-a-guid/authentication/methods`).get());
    expect(malformed).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message: "Invalid object identifier 'not-a-guid'.",
    });
    const segment = await graphError(client.api(`${base(DEMO_USERS.plain)}/bogusMethods`).get());
    expect(segment).toMatchObject({
      statusCode: 400,
      code: 'BadRequest',
      message: "Resource not found for the segment 'bogusMethods'.",
    });
    const hwV1 = await graphError(client.api(`${base(DEMO_USERS.everything)}/hardwareOathMethods`).get());
    expect(hwV1).toMatchObject({
      statusCode: 400,
      message: "Resource not found for the segment 'hardwareOathMethods'.",
    });
    expect(unknown.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(unknown.date).toBeInstanceOf(Date);
  });

  it('serves every per-type collection and item, and deletes every deletable type with its own path', async () => {
    const upn = DEMO_USERS.everything;
    const all = await list(upn, 'beta');
    const segments: Record<string, string> = {
      phone: 'phoneMethods',
      email: 'emailMethods',
      microsoftAuthenticator: 'microsoftAuthenticatorMethods',
      fido2: 'fido2Methods',
      softwareOath: 'softwareOathMethods',
      temporaryAccessPass: 'temporaryAccessPassMethods',
      windowsHelloForBusiness: 'windowsHelloForBusinessMethods',
      platformCredential: 'platformCredentialMethods',
      external: 'externalAuthenticationMethods',
      hardwareOath: 'hardwareOathMethods',
    };
    for (const [type, segment] of Object.entries(segments)) {
      const version = type === 'hardwareOath' ? 'beta' : 'v1.0';
      const col = (await client
        .api(`${base(upn)}/${segment}`)
        .version(version)
        .get()) as List;
      const expected = all.filter((m) => m['@odata.type'] === T(type));
      expect(
        col.value.map((m) => m.id),
        segment,
      ).toEqual(expected.map((m) => m.id));
      expect(col['@odata.context']).toMatch(new RegExp(`/authentication/${segment}$`));
      const item = (await client
        .api(`${base(upn)}/${segment}/${expected[0].id}`)
        .version(version)
        .get()) as Method;
      expect(item).toMatchObject({ '@odata.type': T(type), id: expected[0].id });
    }
    const qr = (await client
      .api(`${base(upn)}/qrCodePinMethod`)
      .version('beta')
      .get()) as Method;
    expect(qr['@odata.type']).toBe(T('qrCodePin'));
    const pw = (await client.api(`${base(upn)}/passwordMethods`).get()) as List;
    expect(pw.value.map((m) => m.id)).toEqual([PASSWORD_METHOD_ID]);
    expect(((await client.api(`${base(upn)}/emailMethods/${EMAIL_METHOD_ID}`).get()) as Method).emailAddress).toMatch(
      /@contoso\.example$/,
    );

    // Delete in a valid order: everything but the default (push) and the phones, then phones (office, alternate, mobile), then the default.
    const del = (path: string, version: 'v1.0' | 'beta' = 'v1.0'): Promise<unknown> =>
      client
        .api(`${base(upn)}/${path}`)
        .version(version)
        .delete();
    const byType = (t: string): Method[] => all.filter((m) => m['@odata.type'] === T(t));
    await del(`emailMethods/${EMAIL_METHOD_ID}`);
    for (const m of byType('fido2')) await del(`fido2Methods/${m.id}`);
    await del(`softwareOathMethods/${byType('softwareOath')[0].id}`);
    await del(`temporaryAccessPassMethods/${byType('temporaryAccessPass')[0].id}`);
    await del(`windowsHelloForBusinessMethods/${byType('windowsHelloForBusiness')[0].id}`);
    await del(`platformCredentialMethods/${byType('platformCredential')[0].id}`);
    await del(`externalAuthenticationMethods/${byType('external')[0].id}/$ref`);
    await del('qrCodePinMethod', 'beta');
    // An application may not delete a hardware token (the beta page: "Application: Not supported") unless the knob
    // says Microsoft changed that.
    const hardware = `hardwareOathMethods/${byType('hardwareOath')[0].id}`;
    expect(await graphError(del(hardware, 'beta'))).toMatchObject({ statusCode: 403, code: 'accessDenied' });
    await emu.setKnobs({ hardwareOathAppDelete: true });
    await del(hardware, 'beta');
    await del(`phoneMethods/${PHONE_IDS.office}`);
    await del(`phoneMethods/${PHONE_IDS.alternateMobile}`);
    await del(`phoneMethods/${PHONE_IDS.mobile}`);
    await del(`microsoftAuthenticatorMethods/${byType('microsoftAuthenticator')[0].id}`);
    expect((await list(upn, 'beta')).map((m) => m.id)).toEqual([PASSWORD_METHOD_ID]);
    const deletes = await emu.requests({ method: 'DELETE', path: 'everything.laura' });
    expect(deletes.map((r) => r.status)).toEqual([...Array<number>(9).fill(204), 403, ...Array<number>(5).fill(204)]);
    // Deleting again: 404 (already gone).
    const again = await graphError(del(`fido2Methods/${byType('fido2')[0].id}`));
    expect(again.statusCode).toBe(404);
  });

  it('deletes an external method only as its page documents it, with /$ref', async () => {
    const ext = (await list(DEMO_USERS.everything)).find((m) => m['@odata.type'] === T('external'))!;
    const item = `${base(DEMO_USERS.everything)}/externalAuthenticationMethods/${ext.id}`;
    expect(await graphError(client.api(item).delete())).toMatchObject({ statusCode: 405 });
    expect((await list(DEMO_USERS.everything)).some((m) => m.id === ext.id)).toBe(true);
    expect(await graphError(client.api(`${item}/$ref`).get())).toMatchObject({ statusCode: 405 });
    await client.api(`${item}/$ref`).delete();
    expect((await list(DEMO_USERS.everything)).some((m) => m.id === ext.id)).toBe(false);
  });

  it('addresses the QR-code PIN in beta only; v1.0 lists it but has no qrCodePinMethod segment', async () => {
    const upn = DEMO_USERS.everything;
    expect((await list(upn)).some((m) => m['@odata.type'] === T('qrCodePin'))).toBe(true);
    for (const call of [
      client.api(`${base(upn)}/qrCodePinMethod`).get(),
      client.api(`${base(upn)}/qrCodePinMethod`).delete(),
    ]) {
      expect(await graphError(call)).toMatchObject({
        statusCode: 400,
        code: 'BadRequest',
        message: "Resource not found for the segment 'qrCodePinMethod'.",
      });
    }
    expect((await list(upn, 'beta')).some((m) => m['@odata.type'] === T('qrCodePin'))).toBe(true);
    await client
      .api(`${base(upn)}/qrCodePinMethod`)
      .version('beta')
      .delete();
    expect((await list(upn, 'beta')).some((m) => m['@odata.type'] === T('qrCodePin'))).toBe(false);
  });

  it('has no DELETE for the password or the generic methods/{id} path, and deletes nothing there', async () => {
    const upn = DEMO_USERS.plain;
    const before = await list(upn);
    const pw = await graphError(client.api(`${base(upn)}/passwordMethods/${PASSWORD_METHOD_ID}`).delete());
    expect(pw.statusCode).toBe(405);
    const target = before.find((m) => m['@odata.type'] === T('email'))!;
    const generic = await graphError(client.api(`${base(upn)}/methods/${target.id}`).delete());
    expect(generic).toMatchObject({ statusCode: 400, code: 'UnknownError' });
    const inner = JSON.parse(generic.message) as { Message: string; MessageDetail: string };
    expect(inner.Message).toMatch(
      /^No HTTP resource was found that matches the request URI 'https:\/\/mface\.windowsazure\.com\/odata\/users\(/,
    );
    expect(inner.MessageDetail).toBe("No type was found that matches the controller named 'users'.");
    expect(await list(upn)).toEqual(before);
  });

  it('answers 404 for unknown method ids and ids of another type', async () => {
    const upn = DEMO_USERS.plain;
    const e1 = await graphError(client.api(`${base(upn)}/fido2Methods/does-not-exist`).delete());
    expect(e1.statusCode).toBe(404);
    const authenticator = (await list(upn)).find((m) => m['@odata.type'] === T('microsoftAuthenticator'))!;
    const e2 = await graphError(client.api(`${base(upn)}/fido2Methods/${authenticator.id}`).get());
    expect(e2.statusCode).toBe(404);
    const e3 = await graphError(
      client
        .api(`${base(DEMO_USERS.passwordOnly)}/qrCodePinMethod`)
        .version('beta')
        .get(),
    );
    expect(e3.statusCode).toBe(404);
  });

  it('refuses to delete the default method while other MFA methods exist (documented 400 bodies)', async () => {
    // default = push (Authenticator) with a mobile phone: variant A.
    const push = await list(DEMO_USERS.defaultPush);
    const auth = push.find((m) => m['@odata.type'] === T('microsoftAuthenticator'))!;
    const a = await graphError(
      client.api(`${base(DEMO_USERS.defaultPush)}/microsoftAuthenticatorMethods/${auth.id}`).delete(),
    );
    expect(a).toMatchObject({
      statusCode: 400,
      code: 'badRequest',
      message:
        'Cannot delete default method with other methods configured. Please change default method before deletion.',
    });
    // GraphError.body is the JSON of the error object (code, message, innerError).
    const body = JSON.parse(a.body as string) as { innerError: { message: string } };
    expect(body.innerError.message).toBe(a.message);
    // The e-mail method does not block; the phone does. After the phone goes, the default is the last method and goes.
    await client.api(`${base(DEMO_USERS.defaultPush)}/emailMethods/${EMAIL_METHOD_ID}`).delete();
    await graphError(client.api(`${base(DEMO_USERS.defaultPush)}/microsoftAuthenticatorMethods/${auth.id}`).delete());
    await client.api(`${base(DEMO_USERS.defaultPush)}/phoneMethods/${PHONE_IDS.mobile}`).delete();
    await client.api(`${base(DEMO_USERS.defaultPush)}/microsoftAuthenticatorMethods/${auth.id}`).delete();
    expect((await emu.user(DEMO_USERS.defaultPush)).preferredMethod).toBeNull();

    // default = sms (mobile phone): variant B names the method id.
    const b = await graphError(client.api(`${base(DEMO_USERS.defaultSms)}/phoneMethods/${PHONE_IDS.mobile}`).delete());
    expect(b).toMatchObject({ statusCode: 400, code: 'badRequest' });
    expect(b.message).toBe(
      `The requested authentication method id of [${PHONE_IDS.mobile}] matches the user's current default authentication method, and cannot be deleted until the default authentication method is changed`,
    );
  });

  it('blocks deleting mobile while alternateMobile exists, and the default=alternateMobile deadlock is solved by PATCHing signInPreferences', async () => {
    const upn = DEMO_USERS.deadlock;
    const alt = await graphError(client.api(`${base(upn)}/phoneMethods/${PHONE_IDS.alternateMobile}`).delete());
    expect(alt).toMatchObject({ statusCode: 400, code: 'badRequest' });
    expect(alt.message).toMatch(/default authentication method/);
    const mobile = await graphError(client.api(`${base(upn)}/phoneMethods/${PHONE_IDS.mobile}`).delete());
    expect(mobile).toMatchObject({ statusCode: 400, code: 'badRequest' });
    expect(mobile.message).toMatch(/alternateMobile/);
    const prefs = (await client
      .api(`${base(upn)}/signInPreferences`)
      .version('beta')
      .get()) as Record<string, unknown>;
    expect(prefs).toMatchObject({ userPreferredMethodForSecondaryAuthentication: 'voiceAlternateMobile' });
    expect(prefs['@odata.context']).toContain('/authentication/signInPreferences');
    await client
      .api(`${base(upn)}/signInPreferences`)
      .version('beta')
      .patch({ userPreferredMethodForSecondaryAuthentication: 'voiceMobile' });
    await client.api(`${base(upn)}/phoneMethods/${PHONE_IDS.alternateMobile}`).delete();
    const oath = (await list(upn)).find((m) => m['@odata.type'] === T('softwareOath'))!;
    await client.api(`${base(upn)}/softwareOathMethods/${oath.id}`).delete();
    await client.api(`${base(upn)}/phoneMethods/${PHONE_IDS.mobile}`).delete();
    expect((await list(upn)).map((m) => m.id)).toEqual([PASSWORD_METHOD_ID]);
  });

  it('validates signInPreferences PATCH and is beta only', async () => {
    const upn = DEMO_USERS.defaultSms;
    const patch = (body: unknown): Promise<unknown> =>
      client
        .api(`${base(upn)}/signInPreferences`)
        .version('beta')
        .patch(body);
    expect(await graphError(patch({ userPreferredMethodForSecondaryAuthentication: 'oath' }))).toMatchObject({
      statusCode: 400,
      code: 'badRequest',
    });
    expect(await graphError(patch({ userPreferredMethodForSecondaryAuthentication: 'carrierPigeon' }))).toMatchObject({
      statusCode: 400,
    });
    expect(await graphError(patch({ isSystemPreferredAuthenticationMethodEnabled: 'yes' }))).toMatchObject({
      statusCode: 400,
    });
    expect(await graphError(patch({ favouriteColour: 'blue' }))).toMatchObject({ statusCode: 400 });
    await patch({
      userPreferredMethodForSecondaryAuthentication: 'push',
      isSystemPreferredAuthenticationMethodEnabled: true,
    });
    const after = (await client
      .api(`${base(upn)}/signInPreferences`)
      .version('beta')
      .get()) as Record<string, unknown>;
    expect(after).toMatchObject({
      userPreferredMethodForSecondaryAuthentication: 'push',
      isSystemPreferredAuthenticationMethodEnabled: true,
    });
    const v1 = await graphError(client.api(`${base(upn)}/signInPreferences`).get());
    expect(v1.statusCode).toBe(400);
    const none = (await client
      .api(`${base(DEMO_USERS.passwordOnly)}/signInPreferences`)
      .version('beta')
      .get()) as Record<string, unknown>;
    expect(none.userPreferredMethodForSecondaryAuthentication).toBeNull();
  });

  it('hidden blocking methods (knob) keep the default undeletable', async () => {
    const m = (await list(DEMO_USERS.stuckDefault)).find((x) => x['@odata.type'] === T('microsoftAuthenticator'))!;
    const e = await graphError(
      client.api(`${base(DEMO_USERS.stuckDefault)}/microsoftAuthenticatorMethods/${m.id}`).delete(),
    );
    expect(e).toMatchObject({ statusCode: 400, code: 'badRequest' });
  });

  it('defaultBlockingKinds changes which methods block deleting the default (knob)', async () => {
    const upn = DEMO_USERS.defaultVoiceOffice; // office default, with Authenticator and FIDO2
    await emu.setKnobs({ defaultBlockingKinds: ['fido2'] });
    const auth = (await list(upn)).find((m) => m['@odata.type'] === T('microsoftAuthenticator'))!;
    await client.api(`${base(upn)}/microsoftAuthenticatorMethods/${auth.id}`).delete();
    expect(await graphError(client.api(`${base(upn)}/phoneMethods/${PHONE_IDS.office}`).delete())).toMatchObject({
      statusCode: 400,
    });
    await emu.setKnobs({ defaultBlockingKinds: [] });
    await client.api(`${base(upn)}/phoneMethods/${PHONE_IDS.office}`).delete();
    const bad = await emu.control<{ problems: string[] }>('PUT', 'knobs', { defaultBlockingKinds: ['password'] });
    expect(bad.status).toBe(400);
    await emu.setKnobs({ defaultBlockingKinds: null });
  });

  it('staleReadsMs keeps deleted methods in lists for a while (knob)', async () => {
    await emu.setKnobs({ staleReadsMs: 60_000 });
    await client.api(`${base(DEMO_USERS.plain)}/emailMethods/${EMAIL_METHOD_ID}`).delete();
    expect((await list(DEMO_USERS.plain)).some((m) => m.id === EMAIL_METHOD_ID)).toBe(true);
    expect(
      (await graphError(client.api(`${base(DEMO_USERS.plain)}/emailMethods/${EMAIL_METHOD_ID}`).delete())).statusCode,
    ).toBe(404);
    await emu.setKnobs({ staleReadsMs: 0 });
    await emu.reset();
    await client.api(`${base(DEMO_USERS.plain)}/emailMethods/${EMAIL_METHOD_ID}`).delete();
    expect((await list(DEMO_USERS.plain)).some((m) => m.id === EMAIL_METHOD_ID)).toBe(false);
  });

  it('creates a Temporary Access Pass: 201 with the value once, one per user, policy and guest errors', async () => {
    const upn = DEMO_USERS.plain;
    const path = `${base(upn)}/temporaryAccessPassMethods`;
    const first = (await client.api(path).post({ lifetimeInMinutes: 60, isUsableOnce: true })) as Method;
    expect(first).toMatchObject({
      '@odata.type': T('temporaryAccessPass'),
      lifetimeInMinutes: 60,
      isUsableOnce: true,
      isUsable: true,
    });
    expect(first.temporaryAccessPass).toMatch(/^.{8}$/);
    const listed = (await client.api(path).get()) as List;
    expect(listed.value.map((m) => m.id)).toEqual([first.id]);
    expect(listed.value[0].temporaryAccessPass).toBeNull();
    const second = (await client.api(path).post({})) as Method;
    expect(second.id).not.toBe(first.id);
    expect(((await client.api(path).get()) as List).value.map((m) => m.id)).toEqual([second.id]);
    const later = (await client
      .api(path)
      .post({ startDateTime: new Date(Date.now() + 3_600_000).toISOString() })) as Method;
    expect(later).toMatchObject({ isUsable: false, methodUsabilityReason: 'NotYetValid' });
    expect(await graphError(client.api(path).post({ lifetimeInMinutes: 5 }))).toMatchObject({
      statusCode: 400,
      code: 'badRequest',
    });
    expect(await graphError(client.api(path).post({ colour: 1 }))).toMatchObject({ statusCode: 400 });
    const guest = await graphError(client.api(`${base(DEMO_USERS.guest)}/temporaryAccessPassMethods`).post({}));
    expect(guest).toMatchObject({
      statusCode: 400,
      message: 'Temporary Access Pass cannot be added to an external guest user.',
    });
  });
});
