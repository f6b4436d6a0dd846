import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/fixtures/slow-first-sequencer.js';

// Files that replace modules (vi.mock) or fake timers for the whole file need a fresh module graph.
// By name, in any test folder, so a file moved between tiers keeps its own process.
const NEEDS_OWN_PROCESS = ['test/**/main-boot.test.ts', 'test/**/folder-picker.test.ts', 'test/**/app-drift-wiring.test.ts', 'test/**/desktop-shell.test.ts', 'test/**/updates.test.ts', 'test/**/app-state-store.test.ts'];

export default defineConfig({
  test: {
    // Integration tests each start their own moto_server, proxy and sshd, and spend much of their time
    // waiting on them (holds, child processes): three forks keep two cores busy.
    pool: 'forks',
    maxWorkers: 3,
    // The longest files start first, so none of them is the tail of the run.
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The SDK's Node-version notice is noise in test output (rig itself turns it off too).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // electron-store imports `electron`: run through vitest (not Node's loader) so a test's
    // vi.mock('electron') double reaches it, as it reaches src/main.
    server: { deps: { inline: ['electron-store'] } },
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: NEEDS_OWN_PROCESS,
          // Files reuse worker processes: the AWS SDK, zod, ssh2 and the rest are imported once per
          // worker, not once per file (about 20 s of import time per integration file under load).
          // file-isolation.ts puts back what a file changed in the process (env, cwd, timers, stubs).
          isolate: false,
          setupFiles: ['test/fixtures/file-isolation.ts'],
          // One moto_server per worker slot for the whole run, reset between files (test/fixtures/shared-moto.ts);
          // the docs build folder emptied, so it holds only this run's screenshots and tables.
          globalSetup: ['test/fixtures/shared-moto-setup.ts', 'test/fixtures/docs-build-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: NEEDS_OWN_PROCESS,
        },
      },
    ],
  },
});
