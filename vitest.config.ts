import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/fixtures/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests each start their own moto_server, proxy and sshd, and spend much of their time
    // waiting on them (holds, child processes): three forks keep two cores busy.
    pool: 'forks',
    maxWorkers: 3,
    // One moto_server per worker slot for the whole run, reset between files (test/fixtures/shared-moto.ts).
    globalSetup: ['test/fixtures/shared-moto-setup.ts'],
    // The longest files start first, so none of them is the tail of the run.
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's Node-version notice is noise in test output (rig itself turns it off too).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
