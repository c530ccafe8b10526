// Small statistics helpers for benchmark figures: percentiles by nearest rank, medians, rounding for reports.

/** Nearest-rank percentile (p in 0..100) of a non-empty sample; the sample is not modified. */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) throw new RangeError('percentile of an empty sample');
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(sample: readonly number[]): number {
  return percentile(sample, 50);
}

export function mean(sample: readonly number[]): number {
  if (sample.length === 0) throw new RangeError('mean of an empty sample');
  return sample.reduce((a, b) => a + b, 0) / sample.length;
}

/** Rounds to `digits` decimals for printing (not for further arithmetic). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
