import { spawn, spawnSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../src/adapters/compose.js';
import { AppSession } from '../../src/core/app/app-session.js';
import type { NotificationModel } from '../../src/core/notification-policy.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import type { SetupView } from '../../src/shared/views.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { noKeyring } from '../support/app-harness.js';
import { FakeAppStateStore } from '../support/fake-app-state-store.js';
import { waitUntil } from '../support/wait-until.js';

// A setup script can run for many minutes, so the app shows its log as it is written, as `rig up`
// does. Against moto + the cloud proxy + the real sshd: the app launches a workstation with a setup
// script and follows its log over the kept-alive session with rig's followSetup. The test plays
// cloud-init on the "box" (as setup-script.test.ts does): it writes the runner's markers and the
// log where CLOUDRIG_SETUP_DIR points, line by line.

const world = useRigWorld({ eachTest: { init: false } });

let box: string;
let dir: string;
let app: AppSession | null = null;
const notifications: NotificationModel[] = [];
const logged: string[] = [];
const clipboard: string[] = [];
const terminals: (readonly string[])[] = [];

beforeEach(async () => {
  box = await mkdtemp(join(tmpdir(), 'cloudrig-box-'));
  dir = join(box, 'setup');
});

afterEach(async () => {
  await app?.dispose();
  app = null;
  notifications.length = 0;
  logged.length = 0;
  clipboard.length = 0;
  terminals.length = 0;
  await rm(box, { recursive: true, force: true });
});

/** waitUntil with this file's deadline (90 s). */
const waitFor = (what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> => waitUntil(what, condition, timeoutMs);

const bootId = (): string => spawnSync('cat', ['/proc/sys/kernel/random/boot_id'], { encoding: 'utf8' }).stdout.trim();

/** `rig init --setup`, then the app (in this process) launches the workstation: a fresh instance. */
async function appLaunching(): Promise<AppSession> {
  const script = join(box, 'setup.sh');
  await writeFile(script, '#!/bin/bash\nset -euo pipefail\necho "installing julia"\n');
  const init = await world.rig(initArgs(world, ['--setup', script]));
  expect(init.code, init.stderr).toBe(0);
  await world.trustWorkstationKey();
  app = new AppSession({
    home: world.home,
    env: { ...world.env, CLOUDRIG_HOME: world.home, CLOUDRIG_SETUP_DIR: dir },
    platform: 'linux',
    createCore: (options) => createCore(options),
    clipboard: { writeText: (text) => void clipboard.push(text) },
    terminal: {
      installed: async () => new Set(['xterm']),
      open: async (argv) => {
        terminals.push(argv);
        return { label: 'xterm' };
      },
    },
    notifier: { show: (notification) => void notifications.push(notification) },
    secretBox: noKeyring,
    appState: new FakeAppStateStore(),
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    log: (line) => void logged.push(line),
    tickMs: 3_600_000,
  });
  app.start();
  await waitFor('the workstation to be known', () => app?.view().workstation?.phase === 'absent');
  app.startWorkstation();
  return app;
}

const setupOf = (session: AppSession): SetupView | null => session.view().connect?.setup ?? null;

/** cloud-init starts the runner: the marker of this boot, then the log. */
async function scriptStarts(firstLines: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'started'), `${bootId()}\n`);
  await writeFile(join(dir, 'setup.log'), firstLines);
}

describe('the popover follows the setup script of a fresh instance', () => {
  it('shows "Setting up gpu…" with the lines as they are written, then offers Save image once, and not after a restart', async () => {
    const session = await appLaunching();
    await waitFor('the app to wait for the script', () => setupOf(session)?.state === 'waiting');
    expect(session.view().workstation).toMatchObject({ phase: 'ready', phaseLabel: 'Setting up gpu…', tone: 'busy' });
    expect(session.view().workstation?.progress?.at(-1)).toEqual({ id: 'setup', label: 'Setup script', state: 'current' });
    expect(session.tray().tooltip).toContain('Setting up…');

    await scriptStarts('installing julia\n');
    await waitFor('the first line', () => setupOf(session)?.lines.includes('installing julia') === true);
    expect(setupOf(session)).toMatchObject({ state: 'running', title: 'Setting up gpu…' });
    await appendFile(join(dir, 'setup.log'), 'julia> using CUDA\nCUDA.jl rea');
    await waitFor('the second line', () => setupOf(session)?.lines.includes('julia> using CUDA') === true);
    // A line still being written is not shown half.
    expect(setupOf(session)?.lines).toEqual(['installing julia', 'julia> using CUDA']);
    expect(session.tray().tooltip).toContain('Setting up: julia> using CUDA');

    await appendFile(join(dir, 'setup.log'), 'dy\n');
    await writeFile(join(dir, 'exit'), '0\n');
    await waitFor('the success', () => setupOf(session)?.state === 'succeeded');
    const view = session.view();
    expect(view.connect?.suggestSaveImage).toBe(true);
    expect(view.connect?.setup?.suggestion).toMatch(/^Setup finished — save an image so the next launch starts ready\. Saving the image ends this instance/);
    expect(view.workstation).toMatchObject({ phaseLabel: 'Ready for ssh', tone: 'good', progress: null });
    expect(notifications.filter((n) => n.key.startsWith('setup:')).map((n) => n.title)).toEqual(['gpu is set up']);

    // Stop, then Start the same instance: its setup already ran, nothing is shown again.
    session.stopWorkstation();
    await waitFor('the workstation to stop', () => session.view().workstation?.phase === 'stopped');
    expect(setupOf(session)).toBeNull();
    session.startWorkstation();
    const looks = (): string[] => logged.filter((line) => line.startsWith('setup script of gpu'));
    await waitFor('the restarted instance to be looked at', () => looks().length === 2);
    expect(looks()[1]).toMatch(/^setup script of gpu on i-\w+ \(attach\): nothing$/);
    expect(session.view().workstation?.phase).toBe('ready');
    expect(setupOf(session)).toBeNull();
    expect(session.view().connect?.suggestSaveImage).toBe(false);
    expect(notifications.filter((n) => n.key.startsWith('setup:'))).toHaveLength(1);
  }, 240_000);

  it('a failing script shows its last 20 lines and the fix; the whole log is one command away', async () => {
    const session = await appLaunching();
    await waitFor('the app to wait for the script', () => setupOf(session)?.state === 'waiting');
    const lines = Array.from({ length: 30 }, (_, i) => `step ${i + 1}`);
    await scriptStarts(`${[...lines, 'curl: (6) Could not resolve host: julialang-s3.julialang.org'].join('\n')}\n`);
    await writeFile(join(dir, 'exit'), '6\n');
    await waitFor('the failure', () => setupOf(session)?.state === 'failed');
    const setup = setupOf(session)!;
    expect(setup.title).toBe('Setup did not finish on gpu');
    expect(setup.lines).toHaveLength(20);
    expect(setup.lines.at(0)).toBe('step 12');
    expect(setup.lines.at(-1)).toBe('curl: (6) Could not resolve host: julialang-s3.julialang.org');
    expect(setup.error).toMatchObject({ code: 'SetupScriptFailed', message: 'The setup script failed (exit 6).' });
    expect(appFix(setup.error!.fix)).toMatch(/^Read the whole log \(Open log in terminal, or Copy log command\), fix the script in Settings → Workstation → Setup script/);
    expect(setup.suggestion).toBeNull();
    // The badge says the worst current fact: ssh answers, but the setup failed.
    expect(session.view().workstation).toMatchObject({ phase: 'ready', phaseLabel: 'Setup failed', tone: 'bad', progress: null });
    expect(notifications.filter((n) => n.key.startsWith('setup:')).map((n) => n.title)).toEqual(['Setup did not finish on gpu']);

    // Open log in terminal: ssh with the pinned key, `less` on the quoted log path.
    await session.openSetupLog();
    const argv = terminals.at(-1)!;
    expect(argv.slice(0, 2)).toEqual(['ssh', '-t']);
    expect(argv.at(-1)).toBe(`less +F ${join(dir, 'setup.log')}`);
    expect(argv).toContain('StrictHostKeyChecking=yes');

    // Copy log command: the system ssh runs it as pasted and the whole log comes back.
    const { copied } = await session.copySetupLogCommand();
    expect(clipboard).toEqual([copied]);
    expect(copied).toMatch(/^ssh -t .* -- 'tail -n \+1 -f .*setup\.log'$/);
    const shell = spawn('sh', ['-c', copied], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    shell.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor('the whole log over ssh', () => output.includes('julialang-s3.julialang.org'), 30_000);
      expect(output).toContain('step 1\n');
    } finally {
      shell.kill();
    }
  }, 180_000);

  it('stops following on Stop: the log leaves the popover with the session', async () => {
    const session = await appLaunching();
    await waitFor('the app to wait for the script', () => setupOf(session)?.state === 'waiting');
    await scriptStarts('installing julia\n');
    await waitFor('the first line', () => setupOf(session)?.lines.includes('installing julia') === true);
    session.stopWorkstation();
    await waitFor('the log to leave the popover', () => setupOf(session) === null);
    expect(session.view().workstation?.phaseLabel).not.toMatch(/Setting up/);
    await waitFor('the workstation to stop', () => session.view().workstation?.phase === 'stopped');
    expect(setupOf(session)).toBeNull();
  }, 180_000);
});
