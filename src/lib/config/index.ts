export { loadConfig, requireAuth, requireGraph, ConfigError, graphHostProblem } from './load-config.js';
export type { ConfigProblem } from './load-config.js';
export type {
  AppConfig,
  AuthConfig,
  ControlsConfig,
  DataConnection,
  GraphConfig,
  LimitsConfig,
  StorageConfig,
} from './app-config.js';
export type { FunctionsMode } from './schema.js';
export { storageCredential, type StorageIdentity } from './storage-credential.js';
export type { AuditConfig, AuditStorage } from './audit-settings.js';
