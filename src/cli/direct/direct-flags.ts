// The --direct flags and their help, for `reset` and `bulk` (no imports: loading them costs the CLI nothing).
/** The --direct flags, for a command's parseArgs options. */
export const directOptions = {
  direct: { type: 'boolean' },
  tenant: { type: 'string' },
  'client-id': { type: 'string' },
  results: { type: 'string', short: 'o' },
  parallel: { type: 'string' },
} as const;

export const directHelp = `  --direct                 no service: run the reset engine here, signed in as you (delegated rights)
    --tenant T             your tenant id or domain (or AZURE_TENANT_ID); a device code sign-in prompt follows
    --client-id ID         the public client to sign in through (default: Microsoft Graph PowerShell's)
    --token T              a delegated Microsoft Graph token instead of the sign-in (or MFA_RESET_GRAPH_TOKEN)
    -o, --results FILE     the results CSV (default mfa-reset-direct-<time>.csv)
    --parallel N           users reset at once (default 4, at most 16)
    Needs the Entra role Authentication Administrator (Privileged Authentication Administrator for admins).
    PROTECTED_USERS / PROTECTED_GROUP_IDS are honoured as by the service; no service audit trail is kept.`;
