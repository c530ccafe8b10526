import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One process per test file: @azure/identity caches the managed-identity endpoint and tokens process-wide,
    // and NODE_EXTRA_CA_CERTS (the emulator's CA) is only read when a process starts.
    pool: 'forks',
    isolate: true,
    // Most tests wait on servers (Azurite, the emulator, the harness), so two files at a time fit two cores and cut
    // the suite's wall time by about a third; vitest's default here would be one (cores - 1).
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
