// The Microsoft Graph service roots, one per cloud, as listed in "Microsoft Graph national cloud deployments"
// (https://learn.microsoft.com/graph/deployments, table "Microsoft Graph and Graph Explorer service root endpoints").
// The worker's Graph token is sent to GRAPH_BASE_URL, so the configuration accepts only these hosts (src/lib/config).
// No imports: the configuration reads this list without loading the Graph client.

export const graphCloudHosts = [
  'graph.microsoft.com', // global service (also Microsoft 365 GCC)
  'graph.microsoft.us', // US Government L4 (GCC High)
  'dod-graph.microsoft.us', // US Government L5 (DoD)
  'microsoftgraph.chinacloudapi.cn', // China, operated by 21Vianet
] as const;

/** True when `hostname` is one of the documented Graph hosts (the host name only, any case). */
export const isGraphCloudHost = (hostname: string): boolean =>
  (graphCloudHosts as readonly string[]).includes(hostname.toLowerCase());
