// The algorithm of the reset scripts people use today, ported faithfully so that the benchmark can time it against
// our engine: MSIdentityTools `Remove-MsIdUserAuthenticationMethod` and its copy in Microsoft Entra PowerShell
// (`Reset-EntraStrongAuthenticationMethodByUpn`); research graph-auth-methods §3.4. Per user, one at a time:
//   1. list the methods (v1.0);
//   2. one pass over them, calling the type-specific DELETE of each handled type, one request at a time; a failed
//      delete is remembered in a single variable, so only the LAST failure survives;
//   3. if something failed, retry that one method once ("default can only be deleted when it is the last method");
//   4. list again and report how many methods remain.
// No resolve, no guard, no default-method lookup, no multi-pass loop, no session revocation. It runs on the real
// @microsoft/microsoft-graph-client with its default middleware chain (so the SDK's own RetryHandler retries
// 429/503/504 as the PowerShell SDK's handler does).
import type { TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { graphScopeFor } from '../../src/lib/graph/credential.js';

/** The types the scripts handle (their `switch` on `@odata.type`); anything else is logged as "does not handle". */
const handledSegments: Readonly<Record<string, string>> = {
  '#microsoft.graph.emailAuthenticationMethod': 'emailMethods',
  '#microsoft.graph.fido2AuthenticationMethod': 'fido2Methods',
  '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod': 'microsoftAuthenticatorMethods',
  '#microsoft.graph.phoneAuthenticationMethod': 'phoneMethods',
  '#microsoft.graph.softwareOathAuthenticationMethod': 'softwareOathMethods',
  '#microsoft.graph.temporaryAccessPassAuthenticationMethod': 'temporaryAccessPassMethods',
  '#microsoft.graph.windowsHelloForBusinessAuthenticationMethod': 'windowsHelloForBusinessMethods',
};
const passwordType = '#microsoft.graph.passwordAuthenticationMethod';

interface ListedMethod {
  readonly '@odata.type': string;
  readonly id: string;
}

export interface ScriptUserResult {
  readonly user: string;
  /** Methods other than the password found by the first list. */
  readonly found: number;
  /** Methods other than the password still there after the run (the script's "Re-checking auth methods"). */
  readonly remaining: number;
  readonly deleteFailures: number;
  readonly retriedDefault: boolean;
}

export interface SequentialScriptOptions {
  readonly baseUrl: string;
  readonly credential: TokenCredential;
}

/** The reset script, ready to run over users one at a time. */
export class SequentialResetScript {
  private readonly client: Client;

  constructor(options: SequentialScriptOptions) {
    const url = new URL(options.baseUrl);
    // Same token scope and customHosts as our adapter: the emulator is a non-Graph host that must receive tokens.
    const authProvider = new TokenCredentialAuthenticationProvider(options.credential, {
      scopes: [graphScopeFor(options.baseUrl)],
    });
    this.client = Client.initWithMiddleware({
      authProvider,
      baseUrl: url.origin,
      defaultVersion: 'v1.0',
      customHosts: new Set([url.hostname]),
    });
  }

  /** `Get-MgUserAuthenticationMethod -UserId $userId`. */
  private async list(user: string): Promise<ListedMethod[]> {
    const body = (await this.client.api(`/users/${encodeURIComponent(user)}/authentication/methods`).get()) as {
      value?: ListedMethod[];
    };
    return body.value ?? [];
  }

  /** `DeleteAuthMethod $uid $method`: true unless the cmdlet wrote an error (PowerShell's `$?`). */
  private async deleteAuthMethod(user: string, method: ListedMethod): Promise<boolean> {
    const type = method['@odata.type'];
    if (type === passwordType) return true; // "Password cannot be removed currently"
    const segment = handledSegments[type];
    if (!segment) return true; // "This script does not handle removing this auth method type"
    try {
      await this.client
        .api(`/users/${encodeURIComponent(user)}/authentication/${segment}/${encodeURIComponent(method.id)}`)
        .delete();
      return true;
    } catch {
      return false;
    }
  }

  async resetUser(user: string): Promise<ScriptUserResult> {
    const methods = await this.list(user);
    let defaultMethod: ListedMethod | undefined;
    let deleteFailures = 0;
    for (const method of methods) {
      const deleted = await this.deleteAuthMethod(user, method);
      if (!deleted) {
        deleteFailures += 1;
        defaultMethod = method; // overwritten by every later failure, as in the scripts
      }
    }
    if (defaultMethod) {
      const retried = await this.deleteAuthMethod(user, defaultMethod);
      if (!retried) deleteFailures += 1;
    }
    const after = await this.list(user);
    const others = (list: readonly ListedMethod[]): number =>
      list.filter((m) => m['@odata.type'] !== passwordType).length;
    return {
      user,
      found: others(methods),
      remaining: others(after),
      deleteFailures,
      retriedDefault: defaultMethod !== undefined,
    };
  }

  /** The usual wrapper: `foreach ($u in Get-Content users.txt) { Remove-MsIdUserAuthenticationMethod -UserId $u }`. */
  async resetAll(users: readonly string[]): Promise<ScriptUserResult[]> {
    const results: ScriptUserResult[] = [];
    for (const user of users) results.push(await this.resetUser(user));
    return results;
  }
}
