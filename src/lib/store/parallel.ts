/** Runs `fn` over `inputs` with at most `limit` calls in flight; results keep the input order. Fails fast. */
export async function mapLimit<T, R>(
  inputs: readonly T[],
  limit: number,
  fn: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < inputs.length) {
      const i = next++;
      try {
        results[i] = await fn(inputs[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}
