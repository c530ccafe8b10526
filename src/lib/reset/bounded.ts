// Concurrency helpers that never leave a Graph call running unobserved: they wait for every task to settle, then
// fail with the first definite error (a RetryLaterError only when nothing else failed).

export async function runBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failures.length > 0) {
    throw failures.find((f) => !(f instanceof Error && f.name === 'RetryLaterError')) ?? failures[0];
  }
  return results;
}

/**
 * Promise.all that waits for every promise to settle before failing (so no call is left running unobserved), and
 * prefers a definite error over a RetryLaterError when both happen.
 */
export async function settleAll<T extends readonly unknown[]>(promises: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<{ -readonly [K in keyof T]: T[K] }> {
  const results = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    throw failures.find((f) => !(f instanceof Error && f.name === 'RetryLaterError')) ?? failures[0];
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: T[K] };
}
