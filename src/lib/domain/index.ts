// The domain's vocabulary, owned here and nowhere else. Nothing in this folder imports from outside it: no Azure,
// HTTP, storage or Graph SDK. Adapters depend on it, never the reverse.
export * from './method-types.js';
export * from './reset-contract.js';
export * from './removal-progress.js';
export * from './reset-request.js';
export * from './requester.js';
export * from './user-key.js';
export * from './roles.js';
export * from './api-registration.js';
export * from './graph-port.js';
export * from './privilege.js';
export * from './graph-errors.js';
export * from './redact.js';
export * from './kill-switch.js';
export * from './approval.js';
export * from './breaker.js';
export * from './cooldown.js';
export * from './canonical-json.js';
export * from './item-seal.js';
export * from './callback-url.js';
export * from './audit-chain.js';
export * from './audit-record.js';
export * from './temporary-access-pass.js';
export * from './write-budget.js';
