export { createTokenVerifier } from './token-verifier.js';
export type { TokenVerifier, TokenVerifierOptions } from './token-verifier.js';
export { requireRole } from './authorize.js';
export type { Principal } from './principal.js';
export type { TokenFailure } from './auth-errors.js';
