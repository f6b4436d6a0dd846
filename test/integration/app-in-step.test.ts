import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { keyStorageVerdict, type SecretBox } from '../../src/core/credentials.js';
import type { Clock } from '../../src/core/ports.js';
import { AppSession } from '../../src/core/app/app-session.js';
import { startCloudProxy, type CloudProxy } from '../fixtures/cloud-proxy.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// The tray app and `rig` side by side on one home: the app's controller runs in this process, the
// real built `rig` runs as a child, both against moto. The app talks to moto through a proxy of its
// own, so that proxy's DescribeInstances count is the app's asking EC2 and nothing else.

/**
 * The system clock with every wait ten times longer: the watcher's steady poll (60 s) becomes 10
 * minutes, so within a test only the change signal can explain the app asking EC2.
 */
const tenfoldWaits: Clock = { now: () => Date.now(), sleep: (ms, signal) => systemClock.sleep(ms * 10, signal) };

/** A Linux box without a keyring: no typed keys, the SDK's chain from the environment. */
const noKeyring: SecretBox = {
  availability: () => keyStorageVerdict('linux', true, 'basic_text'),
  encrypt: () => {
    throw new Error('not available');
  },
  decrypt: () => {
    throw new Error('not available');
  },
};

const world = useRigWorld({ eachTest: { init: false } });
let appProxy: CloudProxy;
let controller: AppSession | null = null;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

beforeAll(async () => {
  appProxy = await startCloudProxy({ target: world.cloud.moto.url });
});

afterAll(async () => {
  process.env.AWS_ENDPOINT_URL = savedEndpoint;
  await appProxy?.close();
});

afterEach(async () => {
  await controller?.dispose();
  controller = null;
  process.env.AWS_ENDPOINT_URL = savedEndpoint;
});

/** The app's controller on the world's home, its AWS calls through `appProxy`, its waits stretched tenfold. */
function startApp(): AppSession {
  // The SDK takes its endpoint from the environment when a client is made: the app's is its own proxy.
  process.env.AWS_ENDPOINT_URL = appProxy.url;
  const app = new AppSession({
    home: world.home,
    env: { ...world.env, CLOUDRIG_HOME: world.home },
    platform: 'linux',
    createCore: (options) => createCore({ ...options, clock: tenfoldWaits }),
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set<string>(), open: async () => ({ label: 'none' }) },
    notifier: { show: () => undefined },
    secretBox: noKeyring,
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    tickMs: 3_600_000,
  });
  app.start();
  return app;
}

const appDescribes = (): number => appProxy.counts().DescribeInstances ?? 0;

describe('the tray app in step with rig', () => {
  it('asks EC2 at once when `rig stop` runs while it watches, long before its next poll, and shows the stopped workstation', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.trustWorkstationKey();
    const up = await world.rig(['up']);
    expect(up.code, up.stderr).toBe(0);

    controller = startApp();
    const app = controller;
    await expect.poll(() => app.tray().tooltip, { timeout: 20_000 }).toContain(': Ready for ssh');
    // The forgotten-instance scan at start asks every region once: let it end before counting.
    await app.elsewhereSettled();
    // Ready is steady: the app's next look at EC2 is ten minutes away.
    appProxy.resetCounts();

    const stop = await world.rig(['stop']);
    expect(stop.code, stop.stderr).toBe(0);

    await expect.poll(appDescribes, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => app.tray().tooltip, { timeout: 10_000 }).toContain(': Stopped');
  });

  it('starts watching the workstation `rig init` creates while the app runs, without a restart', async () => {
    controller = startApp();
    const app = controller;
    expect(app.tray().tooltip).toBe('CloudRig: no workstation set up yet');

    const init = await world.rig(initArgs(world));
    expect(init.code, init.stderr).toBe(0);

    await expect.poll(() => app.tray().tooltip, { timeout: 10_000 }).toContain('gpu (g4dn.xlarge, us-east-1): No instance');
    expect(appDescribes()).toBeGreaterThan(0);
  });
});
