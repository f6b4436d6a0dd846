import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppSession } from '../../src/core/app/app-session.js';
import { startCloudProxy, type CloudProxy } from '../fixtures/cloud-proxy.js';
import { appOn, tenfoldWaits, useApps } from '../support/app-harness.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// The tray app and `rig` side by side on one home: the app's controller runs in this process, the
// real built `rig` runs as a child, both against moto. The app talks to moto through a proxy of its
// own, so that proxy's DescribeInstances count is the app's asking EC2 and nothing else.

const world = useRigWorld({ eachTest: { init: false } });
const start = useApps();
let appProxy: CloudProxy;

beforeAll(async () => {
  appProxy = await startCloudProxy({ target: world.cloud.moto.url });
});

afterAll(async () => {
  await appProxy?.close();
});

/** The app's session on the world's home, its AWS calls through `appProxy`, its waits stretched tenfold. */
function startApp(): AppSession {
  return start(appOn(world, { endpoint: appProxy.url, clock: tenfoldWaits })).session;
}

const appDescribes = (): number => appProxy.counts().DescribeInstances ?? 0;

describe('the tray app in step with rig', () => {
  it('asks EC2 at once when `rig stop` runs while it watches, long before its next poll, and shows the stopped workstation', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.trustWorkstationKey();
    const up = await world.rig(['up']);
    expect(up.code, up.stderr).toBe(0);

    const app = startApp();
    await expect.poll(() => app.tray().tooltip, { timeout: 20_000 }).toContain(': Ready for ssh');
    // The forgotten-instance scan at start asks every region once: let it end before counting.
    await app.elsewhereSettled();
    // Ready is steady: the app's next look at EC2 is ten minutes away.
    appProxy.resetCounts();

    // A process of its own, as a terminal's would be: the app follows changes announced by other processes.
    const stop = await world.rig(['stop'], { process: true });
    expect(stop.code, stop.stderr).toBe(0);

    await expect.poll(appDescribes, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => app.tray().tooltip, { timeout: 10_000 }).toContain(': Stopped');
  });

  it('starts watching the workstation `rig init` creates while the app runs, without a restart', async () => {
    const app = startApp();
    expect(app.tray().tooltip).toBe('CloudRig: no workstation set up yet');

    // A process of its own, as a terminal's would be.
    const init = await world.rig(initArgs(world), { process: true });
    expect(init.code, init.stderr).toBe(0);

    await expect.poll(() => app.tray().tooltip, { timeout: 10_000 }).toContain('gpu (g4dn.xlarge, us-east-1): No instance');
    expect(appDescribes()).toBeGreaterThan(0);
  });
});
