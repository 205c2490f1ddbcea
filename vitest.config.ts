import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ from the current sources first: load worker threads run the compiled engine.
    globalSetup: ['test/global-setup.ts'],
    // The JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
    // Integration tests start real servers and child processes; keep the
    // 2-core machine from being oversubscribed so timings stay meaningful.
    maxWorkers: 2,
    testTimeout: 30_000,
    // expect.poll waits for real work (servers, workers), which a busy machine can delay by seconds.
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 30_000,
    env: {
      // No test may ever reach real AWS or the instance-metadata address.
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      NO_COLOR: '1',
    },
  },
});
