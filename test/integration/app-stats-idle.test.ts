import { copyFile, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { AppSession } from '../../src/core/app/app-session.js';
import type { NotificationModel } from '../../src/core/notification-policy.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { remoteStubs, type RemoteStubs } from '../fixtures/remote-stubs.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { noKeyring } from '../support/app-harness.js';
import { FakeAppStateStore } from '../support/fake-app-state-store.js';
import { waitUntil } from '../support/wait-until.js';

// An idle GPU box still costs money, so the app's GPU readings feed its idle reminder: the GPU
// panel's readings (a real ssh exec of a stub nvidia-smi on the box's PATH, through the real sshd,
// against moto + the cloud proxy) decide whether the app reminds the user that the workstation sits
// idle. The app's clock is the real one shifted forward, so the idle minutes pass at once while
// polling and ssh run in real time.

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'nvidia-smi');
/** An idle T4 (0 %). */
const IDLE_CSV = join(FIXTURES, 'g4dn-xlarge-1-gpu.csv');
/** Four GPUs, the busiest at 92 %. */
const BUSY_CSV = join(FIXTURES, 'g4dn-12xlarge-4-gpus.csv');
const MINUTE = 60_000;

const world = useRigWorld({ eachTest: { init: false } });
let stubs: RemoteStubs;
let app: AppSession | null = null;
const shown: NotificationModel[] = [];

beforeAll(async () => {
  stubs = await remoteStubs();
});

afterEach(async () => {
  await app?.dispose();
  app = null;
  shown.length = 0;
});

afterAll(async () => {
  await stubs?.close();
});


/**
 * A stub nvidia-smi that prints whatever CSV `gpusRead` last set, and counts its runs (each run is
 * one stats reading; the app reads one at a time, so a run means the reading before it was taken in).
 */
async function countingNvidiaSmi(): Promise<{ gpusRead(csvFile: string): Promise<void>; runs(): Promise<number> }> {
  const current = join(stubs.dir, 'current.csv');
  const count = join(stubs.dir, 'nvidia-smi-runs');
  await writeFile(count, '');
  const path = join(stubs.dir, 'nvidia-smi');
  await writeFile(path, `#!/bin/sh\necho run >> '${count}'\nexec cat '${current}'\n`);
  await chmod(path, 0o755);
  return {
    async gpusRead(csvFile) {
      await copyFile(csvFile, `${current}.tmp`);
      await rename(`${current}.tmp`, current);
    },
    runs: async () => (await readFile(count, 'utf8')).split('\n').filter(Boolean).length,
  };
}

/** Starts the app, with a shifted clock and quick stats, on a running workstation whose sshd runs the stubs. */
async function readyApp(clock: ShiftedClock, options: { autoStop: boolean }): Promise<AppSession> {
  expect((await world.rig(initArgs(world))).code).toBe(0);
  if (!options.autoStop) {
    world.core().settings.update((settings) => ({
      ...settings,
      workstations: { ...settings.workstations, gpu: { ...settings.workstations.gpu!, autoStop: { ...settings.workstations.gpu!.autoStop, enabled: false } } },
    }));
  }
  const publicKey = publicKeyFromPrivate(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8'));
  await world.sshd.setAuthorizedKey(stubs.authorizedKeyLine(publicKey));
  const up = await world.rig(['up']);
  expect(up.code, up.stderr).toBe(0);
  app = new AppSession({
    home: world.home,
    env: { ...world.env, CLOUDRIG_HOME: world.home },
    platform: 'linux',
    createCore: (core) => createCore({ ...core, clock }),
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set<string>(), open: async () => ({ label: 'none' }) },
    notifier: { show: (notification) => void shown.push(notification) },
    secretBox: noKeyring,
    appState: new FakeAppStateStore(),
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    tickMs: 3_600_000,
    statsIntervalMs: 200,
  });
  app.start();
  return app;
}

const idleReminders = (): NotificationModel[] => shown.filter((notification) => notification.key.includes(':idle:'));

/** Waits for `count` more readings than now. */
async function readingsMore(smi: { runs(): Promise<number> }, count: number): Promise<void> {
  const from = await smi.runs();
  await waitUntil(`${count} more readings`, async () => (await smi.runs()) >= from + count);
}

describe('the GPU stats feed the idle reminder', () => {
  it('idle readings (no GPU work, nobody logged in) bring the idle reminder once the idle minutes have passed, with auto-stop off', async () => {
    const smi = await countingNvidiaSmi();
    await smi.gpusRead(IDLE_CSV);
    const clock = new ShiftedClock();
    const session = await readyApp(clock, { autoStop: false });
    await waitUntil('the workstation to be ready', () => session.view().workstation?.phase === 'ready');
    await readingsMore(smi, 2);
    expect(idleReminders()).toEqual([]);

    clock.jump(31 * MINUTE); // the default reminder comes after 30 idle minutes
    await waitUntil('the idle reminder', () => idleReminders().length > 0);
    expect(idleReminders()).toEqual([expect.objectContaining({
      title: expect.stringMatching(/^gpu has been idle for 3\d min$/),
      body: expect.stringContaining('No ssh session and no GPU work.'),
      buttons: [expect.objectContaining({ id: 'stop' }), expect.objectContaining({ id: 'snooze' })],
    })]);
  }, 240_000);

  it('busy readings clear an idle stretch: no idle reminder however long it runs', async () => {
    const smi = await countingNvidiaSmi();
    await smi.gpusRead(IDLE_CSV);
    const clock = new ShiftedClock();
    const session = await readyApp(clock, { autoStop: true });
    await waitUntil('the workstation to be ready', () => session.view().workstation?.phase === 'ready');
    await readingsMore(smi, 2);
    // The popover counts the idle minutes from the stats (the watchdog is not installed on this box).
    clock.jump(10 * MINUTE);
    await readingsMore(smi, 2);
    await waitUntil('the idle minutes in the popover', () => /^Idle 1\d min; stops itself at 60 min$/.test(session.view().workstation?.autoStop ?? ''))
      .catch((error: Error) => {
        throw new Error(`${error.message}; the popover says "${session.view().workstation?.autoStop}"`);
      });

    await smi.gpusRead(BUSY_CSV);
    await readingsMore(smi, 2);
    clock.jump(31 * MINUTE);
    await readingsMore(smi, 3);
    expect(session.view().workstation?.autoStop).toBe('Stops itself after 60 idle min');
    await app?.dispose(); // waits for the reminder updates under way
    app = null;
    expect(idleReminders()).toEqual([]);
  }, 240_000);
});
