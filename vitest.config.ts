import { defineConfig } from 'vitest/config';

// Integration tests start real processes (the node, DCMTK, Orthanc): give them time, and run
// test files one at a time so port allocation and CPU timing stay predictable on 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
