// The two Graph calls of a Temporary Access Pass, made through the adapter's chain (throttling, retries, limiter).
// The pass's value is read from the 201 answer and handed straight back: it is never logged, and an error names the
// operation by its path template only.
import type { IssuedTap, TapGraphPort, TapPolicy, TapTerms } from '../domain/index.js';
import { GraphCallError } from '../domain/index.js';
import type { GraphPortWithStats, GraphSendRequest, GraphSendResult } from './graph-adapter.js';
import { asRecord, errorBody } from './graph-answers.js';
import { errorOfAnswer } from './graph-errors.js';
import { graphPermissions } from './graph-permissions.js';
import { encodeUserKey } from './user-key.js';

const POLICY_OPERATION =
  'GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass';
const CREATE_OPERATION = 'POST /users/{id}/authentication/temporaryAccessPassMethods';

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

function unreadable(operation: string, what: string): GraphCallError {
  return new GraphCallError('unreadable', operation, `${operation}: the answer has no usable ${what}`, []);
}

export function createTapGraph(port: Pick<GraphPortWithStats, 'send'>): TapGraphPort {
  const expect = async (request: GraphSendRequest): Promise<GraphSendResult> => {
    const result = await port.send(request);
    if (result.status >= 200 && result.status < 300) return result;
    throw errorOfAnswer(request, result, errorBody(result.body));
  };
  return {
    // Graph docs: "Get temporaryAccessPassAuthenticationMethodConfiguration"
    // (api/temporaryaccesspassauthenticationmethodconfiguration-get, v1.0): state, default/minimum/maximum lifetime,
    // isUsableOnce, defaultLength, includeTargets. Least application permission: Policy.Read.AuthenticationMethod.
    async readTapPolicy(ctx) {
      const { body } = await expect({
        method: 'GET',
        version: 'v1.0',
        path: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/temporaryAccessPass',
        idempotent: true,
        deferFailures: false,
        operation: POLICY_OPERATION,
        permissions: graphPermissions.readTapPolicy,
        ...(ctx ? { ctx } : {}),
      });
      const p = asRecord(body);
      const min = int(p.minimumLifetimeInMinutes);
      const max = int(p.maximumLifetimeInMinutes);
      const def = int(p.defaultLifetimeInMinutes);
      if (typeof p.state !== 'string' || min === undefined || max === undefined || def === undefined) {
        throw unreadable(POLICY_OPERATION, 'state or lifetime bounds');
      }
      const policy: TapPolicy = {
        enabled: p.state === 'enabled',
        defaultLifetimeMinutes: def,
        minimumLifetimeMinutes: min,
        maximumLifetimeMinutes: max,
        usableOnceOnly: p.isUsableOnce === true,
      };
      return policy;
    },
    // Graph docs: "Create temporaryAccessPassMethod" (api/authentication-post-temporaryaccesspassmethods, v1.0):
    // body lifetimeInMinutes and isUsableOnce (startDateTime omitted: usable at once); 201 with the pass in
    // `temporaryAccessPass`, its startDateTime, lifetimeInMinutes and isUsableOnce. A new pass replaces the user's
    // earlier one. Allowed by UserAuthMethod-TAP.ReadWrite.All or UserAuthenticationMethod.ReadWrite.All.
    async createTap(userId: string, terms: TapTerms, ctx): Promise<IssuedTap> {
      const { body } = await expect({
        method: 'POST',
        version: 'v1.0',
        path: `/users/${encodeUserKey(userId)}/authentication/temporaryAccessPassMethods`,
        body: { lifetimeInMinutes: terms.lifetimeMinutes, isUsableOnce: terms.isUsableOnce },
        // Safe to repeat after a dropped connection: a new pass replaces the user's earlier one (the page says so),
        // so a repeat leaves one pass, the one whose value this call returns.
        idempotent: true,
        deferFailures: false,
        operation: CREATE_OPERATION,
        permissions: graphPermissions.createTap,
        ...(ctx ? { ctx } : {}),
      });
      const t = asRecord(body);
      const value = t.temporaryAccessPass;
      const lifetime = int(t.lifetimeInMinutes);
      if (typeof value !== 'string' || value === '' || lifetime === undefined) {
        throw unreadable(CREATE_OPERATION, 'pass');
      }
      return {
        value,
        startDateTime: typeof t.startDateTime === 'string' ? t.startDateTime : new Date().toISOString(),
        lifetimeMinutes: lifetime,
        isUsableOnce: t.isUsableOnce === true,
      };
    },
  };
}
