// Runs tasks with at most `limit` in flight; waits for all of them, then fails with the first definite error
// (a RetryLaterError only when nothing else failed).

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
