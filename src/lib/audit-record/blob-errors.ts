// Status and error code of a failed storage call, read without trusting the error's shape.
export const blobStatus = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'statusCode' in e ? (e as { statusCode?: number }).statusCode : undefined;

export const blobErrorCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;

/** One line for a log: status and code only (storage messages can carry request URLs). */
export const blobFailure = (e: unknown): string =>
  `${blobStatus(e) ?? 'no-status'} ${blobErrorCode(e) ?? (e instanceof Error ? e.name : 'unknown')}`;
