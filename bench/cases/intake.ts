// Placeholder until the local stack lands.
export function intake(_options: Record<string, unknown>): Promise<void> {
  return Promise.reject(new Error('intake: not written yet'));
}
