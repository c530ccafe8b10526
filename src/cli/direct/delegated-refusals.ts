// Graph's 403 for a person says something else than for the worker: on /users/{id}/authentication/* the signed-in
// admin lacks a Microsoft Entra role that covers the target (Graph checks the role as well as the delegated
// permission: the "Microsoft Entra roles" sections of the authentication methods pages); elsewhere the token lacks a
// delegated permission. This wraps the engine's GraphPort so each user's failure names the fix for the person at the
// terminal, not the worker's identity.
import type { GraphPort } from '../../lib/domain/index.js';
import { GraphCallError } from '../../lib/domain/index.js';
import { permissionSentence } from '../../lib/graph/graph-errors.js';

/** The failure code of a user whose methods Graph would not let the signed-in admin touch. */
export const ADMIN_ROLE_MISSING = 'admin_role_missing';

const ROLE_SENTENCE = "managing this user's authentication methods needs the Microsoft Entra role";

export const adminRoleMessage = (operation: string): string =>
  `Microsoft Graph refused ${operation} for you: ${ROLE_SENTENCE} Authentication Administrator (users without an ` +
  'admin role) or Privileged Authentication Administrator (any user), active now (activate it in Privileged ' +
  'Identity Management if it is only eligible)';

/** The person's version of a forbidden failure; other failures pass unchanged. */
export function personalRefusal(error: unknown): unknown {
  if (!(error instanceof GraphCallError) || error.kind !== 'forbidden') return error;
  const message = error.operation.includes('/authentication/')
    ? adminRoleMessage(error.operation)
    : `Microsoft Graph refused ${error.operation} for you: your sign-in lacks the delegated permission ` +
      `${permissionSentence(error.permissions)} (a Global Administrator consents it for the client you signed in with)`;
  return new GraphCallError(error.kind, error.operation, message, error.permissions, error.requestId);
}

/** The port with every call's forbidden failure reworded for the signed-in person. */
export function delegatedPort(port: GraphPort): GraphPort {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args);
        return result instanceof Promise
          ? result.catch((error: unknown) => {
              throw personalRefusal(error);
            })
          : result;
      };
    },
  });
}

/** True for a failure message worded by adminRoleMessage. */
export const isAdminRoleRefusal = (message: string): boolean => message.includes(ROLE_SENTENCE);
