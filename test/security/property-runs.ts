// How many generated inputs the property suites try. `npm test` runs the bounded form; HARDEN_FULL=1 the full one
// (docs/testing.md has the figures and timings of both).
const full = process.env.HARDEN_FULL === '1';

export const propertyRuns = {
  /** JSON bodies through the JSON validator. */
  validators: full ? 10_000 : 3_000,
  /** CSV files through the streaming CSV parser. */
  csvValidator: full ? 10_000 : 1_000,
  /** Tables through the CSV export. */
  export: full ? 10_000 : 2_000,
  /** Inputs sent through HTTP to POST /api/resets (JSON and CSV together). */
  http: full ? 10_000 : 1_000,
} as const;
