// Placeholder until the local stack lands.
export function singleReset(_options: Record<string, unknown>): Promise<void> {
  return Promise.reject(new Error('single-reset: not written yet'));
}
