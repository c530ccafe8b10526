// test.http is copied by hand from the demo tenant: its ids and fake secret must stay the emulator's.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEMO_API_APP_ID, DEMO_APPS, DEMO_TENANT_ID } from '../../dev/graph-emulator/index.js';
import { API_SCOPE, PREAUTHORIZED_PUBLIC_CLIENTS } from '../../src/lib/domain/index.js';

describe('test.http', () => {
  it("names the demo tenant, API, caller app, secret and the Azure CLI's client as the emulator has them", async () => {
    const text = await readFile(new URL('../../test.http', import.meta.url), 'utf8');
    for (const value of [
      `/${DEMO_TENANT_ID}/oauth2/v2.0`,
      `@audience = ${DEMO_API_APP_ID}`,
      `client_id=${DEMO_APPS.logicApp.appId}&client_secret=${DEMO_APPS.logicApp.clientSecret}`,
      `client_id=${PREAUTHORIZED_PUBLIC_CLIENTS.azureCli}&scope=api://{{audience}}/${API_SCOPE}`,
    ]) {
      expect(text).toContain(value);
    }
  });
});
