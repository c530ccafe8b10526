// Placeholder until the local stack lands.
export function throughput(_options: Record<string, unknown>): Promise<void> {
  return Promise.reject(new Error('throughput: not written yet'));
}
