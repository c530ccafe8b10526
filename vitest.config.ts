import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One process per test file: @azure/identity caches the managed-identity endpoint and tokens process-wide,
    // and NODE_EXTRA_CA_CERTS (the emulator's CA) is only read when a process starts.
    pool: 'forks',
    isolate: true,
    // Most tests wait on servers (Azurite, the emulator, the harness), not on the CPU: three files at a time on two
    // cores ran the suite in 362 s against 497 s with two (885 tests, 2026-12-02); vitest's default would be one.
    maxWorkers: 3,
    globalSetup: ['test/support/global-setup.ts'],
    sequence: { sequencer: SlowFirstSequencer },
    // A backstop only: every wait on the system has its own deadline (30-90 s) and prints what the system was doing
    // when it passes. The backstop must be longer than a test's waits together, or on a busy machine it fires first
    // and says nothing (a clean-clone CI run with a CPU hog lost azurite-restart that way: 60 s vs waits of 60+90 s).
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
