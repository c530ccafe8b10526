// How the Application Insights exporter authenticates. The component refuses unauthenticated ingestion
// (DisableLocalAuth, infra/modules/monitoring.bicep), so the exporter must present a Microsoft Entra token of an
// identity holding Monitoring Metrics Publisher on it. The deployment says which identity in
// APPLICATIONINSIGHTS_AUTHENTICATION_STRING ("Authorization=AAD;ClientId=<client id>", the format the Functions host
// reads for its own telemetry, docs "App settings reference for Azure Functions"); the Node distro does not read that
// setting itself, so the app hands it a credential (azureMonitorExporterOptions.credential).

export type ExporterAuth =
  /** No authentication string: the connection string's instrumentation key alone (local auth). */
  | { readonly kind: 'local' }
  /** Microsoft Entra with the managed identity: the user-assigned one when a client id is given. */
  | { readonly kind: 'managed_identity'; readonly clientId?: string };

/** Reads APPLICATIONINSIGHTS_AUTHENTICATION_STRING; throws on a value it does not understand rather than guessing. */
export function exporterAuthOf(value: string | undefined): ExporterAuth {
  const text = value?.trim();
  if (!text) return { kind: 'local' };
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    if (!part.trim()) continue;
    const at = part.indexOf('=');
    if (at <= 0)
      throw new Error('APPLICATIONINSIGHTS_AUTHENTICATION_STRING: expected key=value pairs separated by ";"');
    fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  if (fields.get('authorization')?.toLowerCase() !== 'aad')
    throw new Error('APPLICATIONINSIGHTS_AUTHENTICATION_STRING: only Authorization=AAD is supported');
  const clientId = fields.get('clientid');
  return clientId ? { kind: 'managed_identity', clientId } : { kind: 'managed_identity' };
}
