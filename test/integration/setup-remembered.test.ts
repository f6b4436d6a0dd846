import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { AppSession } from '../../src/core/app/app-session.js';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { noKeyring } from '../support/app-harness.js';
import { FakeAppStateStore } from '../support/fake-app-state-store.js';
import { waitUntil } from '../support/wait-until.js';

// A failed setup script leaves a half-made box that is still billed, so the failure must not be
// forgotten. Against moto + the cloud proxy + the real sshd: it is remembered for its instance
// (every `rig status`, the next `rig up` and the app say so, until a fresh launch), its error says
// the box runs and is billed, and `--timeout` bounds following it. The test plays cloud-init on the
// "box" (as setup-script.test.ts does): it writes the runner's markers and log where
// CLOUDRIG_SETUP_DIR points.
const world = useRigWorld({ eachTest: { init: false } });

let box: string;
let dir: string;
let app: AppSession | null = null;
beforeEach(async () => {
  box = await mkdtemp(join(tmpdir(), 'cloudrig-box-'));
  dir = join(box, 'setup');
});
afterEach(async () => {
  await app?.dispose();
  app = null;
  await rm(box, { recursive: true, force: true });
});

const bootId = (): string => spawnSync('cat', ['/proc/sys/kernel/random/boot_id'], { encoding: 'utf8' }).stdout.trim();

/** `rig` as its own process, seeing the box's setup folder. */
const rig = (args: readonly string[]): Promise<RigResult> => world.rig(args, { process: true, env: { CLOUDRIG_SETUP_DIR: dir } });

async function initWithSetup(): Promise<void> {
  const script = join(box, 'setup.sh');
  await writeFile(script, '#!/bin/bash\nset -euo pipefail\necho "installing julia"\n');
  const init = await world.rig(initArgs(world, ['--setup', script]));
  expect(init.code, init.stderr).toBe(0);
  await world.trustWorkstationKey();
}

/** cloud-init ran the script on this boot, and it ended with `code` (0: it succeeded). */
async function scriptEnded(code: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'started'), `${bootId()}\n`);
  await writeFile(join(dir, 'setup.log'), 'installing julia\ncurl: (6) Could not resolve host: julialang-s3.julialang.org\n');
  await writeFile(join(dir, 'exit'), `${code}\n`);
}

const BILLED = (id: string) => `Instance ${id} (workstation gpu, g4dn.xlarge in us-east-1) is running and billed by the hour (about $0.526/hour on demand).`;
const STOP = 'To stop the billing: `rig stop gpu` (keeps the disk) or `rig down gpu` (terminates it)';

describe('a failed setup script is remembered until the next fresh launch', () => {
  it('its error says the box runs and is billed; rig status (text and --json) and the next rig up still say it failed', async () => {
    await initWithSetup();
    await scriptEnded(6);
    const up = await rig(['up']);
    const [instance] = await world.instances();
    const id = instance!.InstanceId!;
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('  curl: (6) Could not resolve host: julialang-s3.julialang.org');
    expect(up.stderr).toContain(`error: The setup script failed (exit 6). ${BILLED(id)} Fix: Read the whole log on the box`);
    expect(up.stderr).toContain(STOP);

    // Another process, later: the failure is still there.
    const status = await rig(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`gpu (g4dn.xlarge, us-east-1): ready — ${id}`);
    expect(status.stdout).toMatch(/^Setup: The setup script failed \(exit 6\)\. Fix: Read the whole log on the box \(.*setup\.log; `rig ssh gpu -- cat .*setup\.log`\)/m);
    const json = JSON.parse((await rig(['status', '--json'])).stdout) as { setupFailure: { code: string; message: string; fix: string } | null; error: unknown };
    expect(json.setupFailure).toMatchObject({ code: 'SetupScriptFailed', message: 'The setup script failed (exit 6).' });
    expect(json.setupFailure?.fix).toMatch(/^Read the whole log on the box/);
    // Not an error of the workstation's state: the status itself succeeded.
    expect(json.error).toBeNull();

    // The next rig up of the running box: not "ready" as if all were well.
    const again = await rig(['up']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`✔ ${id} is running and ssh answers, but its setup script failed`);
    expect(again.stderr).toContain(`error: The setup script failed (exit 6) on ${id} when it was launched; it was not run again. ${BILLED(id)} Fix: Read the whole log on the box`);
    expect(again.stderr).toContain(STOP);
    expect(again.stdout).not.toContain('setup|');

    // The app, started now, shows it too.
    app = await appSession();
    await waitUntil('the app to show the failed setup', () => app?.view().connect?.setup?.state === 'failed', 60_000);
    expect(app.view().connect?.setup).toMatchObject({ title: 'Setup did not finish on gpu', error: { code: 'SetupScriptFailed', message: 'The setup script failed (exit 6).' } });
    await app.dispose();
    app = null;

    // A fresh launch forgets it (its own setup, this time, succeeds).
    expect((await rig(['down', '--yes'])).code).toBe(0);
    await rm(dir, { recursive: true, force: true });
    await scriptEnded(0);
    const fresh = await rig(['up']);
    expect(fresh.code, fresh.stderr).toBe(0);
    const after = JSON.parse((await rig(['status', '--json'])).stdout) as { setupFailure: unknown; instanceId: string };
    expect(after.instanceId).not.toBe(id);
    expect(after.setupFailure).toBeNull();
    expect((await rig(['status'])).stdout).not.toContain('Setup:');
  }, 180_000);

  it('a setup that succeeded leaves nothing on rig status', async () => {
    await initWithSetup();
    await scriptEnded(0);
    const up = await rig(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('The setup script finished.');
    const json = JSON.parse((await rig(['status', '--json'])).stdout) as { setupFailure: unknown };
    expect(json.setupFailure).toBeNull();
  }, 120_000);
});

describe('--timeout bounds the whole rig up, following the setup included', () => {
  it('when it runs out while following, the error says the box runs and is billed, and how to keep following or stop it', async () => {
    await initWithSetup();
    // cloud-init never starts the script: without the bound rig would wait its 10-minute start wait.
    const up = await rig(['up', '--timeout', '20']);
    const [instance] = await world.instances();
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('Following the setup script on the instance');
    expect(up.stderr).toContain(`error: Stopped following the setup script of gpu: --timeout ran out; the script keeps running on the instance. ${BILLED(instance!.InstanceId!)} Fix: \`rig up gpu\` follows it again while it runs (the whole log: \`rig ssh gpu -- tail -n +1 -f ${join(dir, 'setup.log')}\`).`);
    expect(up.stderr).toContain(STOP);
    expect(instance!.State?.Name).toBe('running');
  }, 120_000);
});

/** The app's session in this process, over the same home and box. */
async function appSession(): Promise<AppSession> {
  const session = new AppSession({
    home: world.home,
    env: { ...world.env, CLOUDRIG_HOME: world.home, CLOUDRIG_SETUP_DIR: dir },
    platform: 'linux',
    createCore: (options) => createCore(options),
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set(['xterm']), open: async () => ({ label: 'xterm' }) },
    notifier: { show: () => undefined },
    secretBox: noKeyring,
    appState: new FakeAppStateStore(),
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    log: () => undefined,
    tickMs: 3_600_000,
  });
  session.start();
  return session;
}
