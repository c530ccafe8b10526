// The one bounded-concurrency helper: run an async function over a list with at most `limit` calls in flight,
// results in input order. Two ways to fail:
// - mapBounded fails fast: after the first failure no new call starts, and that failure is thrown at once (calls
//   already in flight finish on their own). For storage reads and writes, where the caller retries the whole step.
// - mapBoundedSettled / settleAll wait for every call to settle before failing, so no Graph call is left running
//   unobserved, and throw the first definite error: a RetryLaterError (a request to wait, recognised by its name so
//   this file depends on nothing) only when nothing else failed.

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. Fails fast. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Like mapBounded, but every call runs and settles before a failure is thrown (see firstDefiniteError). */
export async function mapBoundedSettled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failures.length > 0) throw firstDefiniteError(failures);
  return results;
}

/** Promise.all that waits for every promise to settle before failing, with the same choice of error. */
export async function settleAll<T extends readonly unknown[]>(promises: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<{ -readonly [K in keyof T]: T[K] }> {
  const results = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw firstDefiniteError(failures);
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: T[K] };
}

/** Integers [from, to): the indices of a range of items, for mapBounded. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** The first failure that is not a RetryLaterError, else the first failure. */
function firstDefiniteError(failures: readonly unknown[]): unknown {
  return failures.find((f) => !(f instanceof Error && f.name === 'RetryLaterError')) ?? failures[0];
}
