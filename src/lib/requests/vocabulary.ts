// The closed vocabularies of a reset request: reasons and method type names.

import type { MethodTypeName } from '../reset/contract.js';
import type { ResetReason } from '../store/ports.js';

/**
 * Why the service desk asks for the reset:
 * - `lost_device`: the user lost (or broke) the device holding their authenticator;
 * - `new_device`: the user moved to a new phone and cannot transfer the authenticator;
 * - `compromised`: a method or the account is believed compromised (also revoke sessions);
 * - `user_request`: the user asked for a clean re-registration;
 * - `other`: anything else (say more in the ticket).
 */
export const resetReasons = [
  'lost_device',
  'new_device',
  'compromised',
  'user_request',
  'other',
] as const satisfies readonly ResetReason[];

/** Every method type name of the engine contract (the compile-time check below keeps the list complete). */
export const methodTypeNames = [
  'password',
  'phone',
  'email',
  'microsoftAuthenticator',
  'fido2',
  'softwareOath',
  'hardwareOath',
  'temporaryAccessPass',
  'windowsHelloForBusiness',
  'platformCredential',
  'externalAuthentication',
  'qrCodePin',
  'passwordlessMicrosoftAuthenticator',
] as const satisfies readonly MethodTypeName[];

type MissingMethodType = Exclude<MethodTypeName, (typeof methodTypeNames)[number]>;
const _complete: MissingMethodType extends never ? true : false = true;
void _complete;

/** Types a caller may ask to delete: the password is never deleted. */
export const deletableMethodTypeNames = methodTypeNames.filter((t) => t !== 'password');
