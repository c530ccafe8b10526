/** Runs `task(i)` for i in [from, to) with at most `limit` running at once; rejects with the first failure. */
export async function forEachBounded(
  from: number,
  to: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = from;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < to) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, to - from)) }, worker);
  await Promise.all(workers);
}
