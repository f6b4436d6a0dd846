import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Instance } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { AppSession } from '../../src/core/app/app-session.js';
import { startWorkstation } from '../../src/core/app/lifecycle.js';
import { setUpWorkstation } from '../../src/core/app/workstation-setup.js';
import { watchdogSettingsFromUserData } from '../../src/core/idle-watchdog-installer.js';
import type { NotificationButton, NotificationModel } from '../../src/core/notification-policy.js';
import type { Clock } from '../../src/core/ports.js';
import type { Snapshot } from '../../src/shared/workstation.js';
import { onInstanceLaunch, seededPrivateKeyOf } from '../fixtures/instance-boot.js';
import { publicKeyFromPrivate, startSshd, type Sshd } from '../fixtures/sshd.js';
import { useRigWorld } from '../support/rig-harness.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { noKeyring } from '../support/app-harness.js';
import { FakeAppStateStore } from '../support/fake-app-state-store.js';

// The tray app runs two workstations, a and b, each on a box of its own: a real sshd each, and a
// folder each standing in for that box's disk. Every command the app runs on a box with that
// box's key starts in its folder, with the watchdog's run directory there (CLOUDRIG_RUN_DIR, as
// test/integration/idle-watchdog.test.ts sets it for the check script). a is the one shown; what
// happens to b must come from b's box and act on b.

/** b's watchdog idles out after this many minutes: its launch's user data says so, which tells the two launches apart. */
const B_IDLE_MINUTES = 45;
/** Where Snooze writes the keep-alive on a box, relative to the box's folder. */
const KEEPALIVE = 'var/keepalive';
/** Each case sets up two workstations on two boxes and runs the app over them: more than the default bound on a shared machine. */
const CASE_TIMEOUT_MS = 240_000;

/** One workstation's machine: its sshd, and the folder its commands run in. */
interface Box {
  readonly name: 'a' | 'b';
  readonly sshd: Sshd;
  dir: string;
}

const world = useRigWorld({ eachTest: { init: false }, followLaunches: false });
let boxes: Record<'a' | 'b', Box>;
let unfollow: () => void = () => undefined;
let app: AppSession | null = null;

beforeAll(async () => {
  const box = async (name: 'a' | 'b'): Promise<Box> => ({ name, sshd: await startSshd({ start: false, followLaunches: false }), dir: '' });
  boxes = { a: await box('a'), b: await box('b') };
  // cloud-init on the box each launch is for: it takes the host key the launch seeds.
  unfollow = onInstanceLaunch(async (userData) => {
    const seeded = seededPrivateKeyOf(userData);
    if (seeded === null) return;
    const box = watchdogSettingsFromUserData(userData)?.idleMinutes === B_IDLE_MINUTES ? boxes.b : boxes.a;
    await box.sshd.useHostKey(seeded);
  });
});

afterAll(async () => {
  unfollow();
  await Promise.all(Object.values(boxes ?? {}).map((box) => box.sshd.close()));
});

beforeEach(async () => {
  for (const box of Object.values(boxes)) {
    await box.sshd.stop();
    box.dir = await mkdtemp(join(tmpdir(), `cloudrig-box-${box.name}-`));
    await mkdir(join(box.dir, 'run'), { recursive: true });
  }
});

afterEach(async () => {
  await app?.dispose();
  app = null;
  for (const box of Object.values(boxes)) await rm(box.dir, { recursive: true, force: true });
});

/**
 * Sets up a and b (the use case `rig init` runs), each pointing at its box; b's watchdog idles out
 * after B_IDLE_MINUTES; a is shown.
 */
async function initBoth(): Promise<void> {
  const core = world.core();
  await Promise.all(Object.values(boxes).map((box) => setUpWorkstation(core, {
    name: box.name, region: 'us-east-1', instanceType: 'g4dn.xlarge', sshHost: box.sshd.host, sshPort: box.sshd.port, sshUser: box.sshd.user,
    ...(box.name === 'b' ? { autoStopMinutes: B_IDLE_MINUTES } : {}),
  })));
  // No daily reminder: the tests jump the clock by hours, and from whatever time of day the run
  // starts a jump may cross the daily time, whose reminder would then cover the one a test is about.
  core.settings.update((settings) => ({ ...settings, current: 'a', reminders: { ...settings.reminders, dailyAt: null } }));
  for (const box of Object.values(boxes)) {
    const pem = await readFile(join(world.home, 'keys', `cloudrig-${box.name}.pem`), 'utf8');
    // The workstation's key logs in to its own box only, and its commands run in the box's folder.
    const session = `cd '${box.dir}' && CLOUDRIG_RUN_DIR='${box.dir}/run' && export CLOUDRIG_RUN_DIR && eval \\"$SSH_ORIGINAL_COMMAND\\"`;
    await box.sshd.setAuthorizedKey(`command="${session}" ${publicKeyFromPrivate(pem)}`);
  }
}

/** What the app's shell was asked to show, and what its core published. */
interface ShellRecord {
  readonly notifications: Array<{ notification: NotificationModel; press: (button: NotificationButton['id']) => void }>;
  readonly snapshots: Snapshot[];
  readonly notices: string[];
}

function startApp(record: ShellRecord, clock: Clock = new ShiftedClock()): AppSession {
  const session = new AppSession({
    home: world.home,
    env: { ...world.env, CLOUDRIG_HOME: world.home, CLOUDRIG_KEEPALIVE_FILE: KEEPALIVE },
    platform: 'linux',
    createCore: (options) => {
      const core = createCore({ ...options, clock });
      core.service.onDidChange((snapshot) => record.snapshots.push(snapshot));
      return core;
    },
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set<string>(), open: async () => ({ label: 'none' }) },
    notifier: {
      show: (notification, _onClick, onButton) => record.notifications.push({ notification, press: (button) => onButton?.(button) }),
    },
    secretBox: noKeyring,
    appState: new FakeAppStateStore(),
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    tickMs: 3_600_000,
  });
  session.onDidChangeView((view) => {
    if (view.notice !== null && record.notices.at(-1) !== view.notice) record.notices.push(view.notice);
  });
  session.start();
  return session;
}

function fleetStates(session: AppSession): Record<string, string> {
  return Object.fromEntries((session.view().fleet?.entries ?? []).map((entry) => [entry.name, entry.state]));
}

async function instanceOf(name: string): Promise<Instance | undefined> {
  return (await world.instances()).find((instance) => instance.Tags?.some((tag) => tag.Key === 'cloudrig:workstation' && tag.Value === name) && instance.State?.Name !== 'terminated');
}

function notificationTitled(record: ShellRecord, title: RegExp) {
  return record.notifications.find((shown) => title.test(shown.notification.title));
}

describe('the app runs an operation at a time per workstation', () => {
  it('starting b while a waits for ssh leaves a waiting: both reach ready, and neither start is aborted', async () => {
    await initBoth();
    await boxes.b.sshd.start();
    const record: ShellRecord = { notifications: [], snapshots: [], notices: [] };
    app = startApp(record);
    const session = app;

    // a's box does not answer ssh yet: its start waits for it.
    session.startWorkstation('a');
    await expect.poll(() => record.snapshots.findLast((snapshot) => snapshot.name === 'a')?.phase, { timeout: 60_000 }).toBe('running');
    session.startWorkstation('b');
    await expect.poll(() => fleetStates(session).b, { timeout: 60_000 }).toBe('Ready for ssh');
    expect(fleetStates(session).a).toBe('Running, waiting for ssh…');

    // a's box comes up: a's own start, still waiting, sees ssh answer.
    await boxes.a.sshd.start();
    await session.settled();
    await expect.poll(() => fleetStates(session), { timeout: 60_000 }).toEqual({ a: 'Ready for ssh', b: 'Ready for ssh' });
    // What the core published about either workstation: no start was cut short.
    expect(record.snapshots.filter((snapshot) => snapshot.error?.code === 'Aborted').map((snapshot) => `${snapshot.name}: ${snapshot.error?.message}`)).toEqual([]);
    expect(session.view().workstation).toMatchObject({ name: 'a', phase: 'ready', error: null });
  }, CASE_TIMEOUT_MS);
});

describe("a reminder's buttons act on the workstation it is about", () => {
  it("a reminder about b, the workstation not shown: its notification's Stop stops b and leaves a running", async () => {
    await initBoth();
    // `rig up a --no-wait-ssh`, `rig up b --no-wait-ssh`: the same use case, in this process.
    await Promise.all(['a', 'b'].map((name) => startWorkstation(world.core(), name, { waitSsh: false })));
    const clock = new ShiftedClock();
    const record: ShellRecord = { notifications: [], snapshots: [], notices: [] };
    app = startApp(record, clock);
    const session = app;
    await expect.poll(() => fleetStates(session), { timeout: 60_000 }).toEqual({ a: 'Running, waiting for ssh…', b: 'Running, waiting for ssh…' });

    // Two hours on, both are reminded about, each on its own.
    clock.jump(2 * 3_600_000 + 5 * 60_000);
    session.popoverShown();
    await expect.poll(() => notificationTitled(record, /^b has been running for 2 h/), { timeout: 60_000 }).toBeDefined();
    expect(session.view().workstation?.name).toBe('a');

    notificationTitled(record, /^b has been running for 2 h/)!.press('stop');
    await expect.poll(async () => (await instanceOf('b'))?.State?.Name, { timeout: 60_000 }).toMatch(/^(stopping|stopped)$/);
    await session.settled();
    expect((await instanceOf('a'))?.State?.Name).toBe('running');
    expect(record.notices).not.toContain('That reminder was about a run that has ended');
  }, CASE_TIMEOUT_MS);
});

describe("every running workstation's watchdog is asked, and its answer is that workstation's", () => {
  it("b's box says it has been idle for 45 minutes: b is reminded, a is not; Snooze on that reminder keeps b's box awake", async () => {
    await initBoth();
    await Promise.all([boxes.a.sshd.start(), boxes.b.sshd.start()]);
    // `rig up a`, `rig up b`: the same use case, in this process; each returns once its box answers ssh.
    await Promise.all(['a', 'b'].map((name) => startWorkstation(world.core(), name)));
    // What b's check script has been writing: idle since 45 and a half minutes ago (the half minute
    // keeps the whole minutes at 45 when the app's reading of the box's clock is a second or two off).
    // a's box has no such mark.
    await writeFile(join(boxes.b.dir, 'run', 'idle-since'), `${Math.floor(Date.now() / 1000) - 45 * 60 - 30}\n`);

    const record: ShellRecord = { notifications: [], snapshots: [], notices: [] };
    app = startApp(record);
    const session = app;
    await expect.poll(() => notificationTitled(record, /^b has been idle for/), { timeout: 60_000 }).toBeDefined();
    expect(notificationTitled(record, /^b has been idle for/)!.notification.title).toMatch(/^b has been idle for 4[5-6] min$/);
    await session.settled();
    expect(notificationTitled(record, /^a has been idle/)).toBeUndefined();
    expect(session.view().workstation?.name).toBe('a');

    notificationTitled(record, /^b has been idle for/)!.press('snooze');

    await expect.poll(() => existsSync(join(boxes.b.dir, KEEPALIVE)), { timeout: 60_000 }).toBe(true);
    const until = Number((await readFile(join(boxes.b.dir, KEEPALIVE), 'utf8')).trim());
    expect(until * 1000).toBeGreaterThan(Date.now());
    expect(existsSync(join(boxes.a.dir, KEEPALIVE))).toBe(false);
    await expect.poll(async () => (JSON.parse(await readFile(join(world.home, 'state', 'reminders.json'), 'utf8')) as { snoozedUntil: number | null }).snoozedUntil)
      .toBeGreaterThan(Date.now());
  }, CASE_TIMEOUT_MS);
});
