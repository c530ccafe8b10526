// Microsoft Graph: the worker's credential, the Graph port and its adapter, the method catalogue.
export { createGraphCredential, graphScopeFor, hasManagedIdentityEndpoint } from './credential.js';
export type { GraphCredentialOptions } from './credential.js';
export { createGraphPort } from './graph-adapter.js';
export type { GraphPortOptions, GraphPortWithStats, GraphSendRequest, GraphSendResult } from './graph-adapter.js';
export type * from './graph-port.js';
export { GraphRequestError, GraphTransportError } from './graph-errors.js';
export { AdaptiveLimiter } from './adaptive-limiter.js';
export type { AdaptiveLimiterOptions, AdaptiveLimiterStats } from './adaptive-limiter.js';
export * from './method-catalogue.js';
export { isGuid, isUpn, isUserKey } from './user-key.js';
