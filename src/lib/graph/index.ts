// Microsoft Graph: the worker's credential and the adapter that implements the domain's GraphPort.
export { createGraphCredential, graphScopeFor, hasManagedIdentityEndpoint } from './credential.js';
export type { GraphCredentialOptions } from './credential.js';
export { createGraphPort } from './graph-adapter.js';
export type { GraphPortOptions, GraphPortWithStats, GraphSendRequest, GraphSendResult } from './graph-adapter.js';
export { AdaptiveLimiter } from './adaptive-limiter.js';
export type { AdaptiveLimiterOptions, AdaptiveLimiterStats } from './adaptive-limiter.js';
export * from './method-catalogue.js';
export { createTapGraph } from './tap-calls.js';
export { WriteBudgetGate } from './write-budget-gate.js';
export type { WriteBudgetGateOptions } from './write-budget-gate.js';
export { graphPathWords } from './graph-path-words.js';
