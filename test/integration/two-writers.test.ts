// Two writers, no loss: a user runs `rig` in several terminals beside the app, so several `rig`
// processes, the app and other tools writing settings.json and ~/.ssh/config at the same moment
// each keep every other writer's change.
import { appendFile, chmod, chown, link, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { SshConfigFiles } from '../../src/adapters/ssh/ssh-config-file.js';
import { FileKeyStore } from '../../src/adapters/store/key-store.js';
import { ConfSettingsStore } from '../../src/adapters/store/settings-store.js';
import { initArgs, lastLine, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';
import { waitUntil } from '../support/wait-until.js';
import { appOn, useApps } from '../support/app-harness.js';

const world = useRigWorld();
const startApp = useApps();

/** What the tests saw, for the `writers` table of docs/reliability.md. */
const seen = {
  initRounds: 0, initWorkstations: 0, initLost: 0,
  appRounds: 0, appWorkstations: 0, appLost: 0, appChanges: 0, appChangesLost: 0,
  installRounds: 0, includeLines: 0, includeLinesLost: 0,
  otherToolRounds: 0, otherLines: 0, otherLinesLost: 0,
  hardLinkRounds: 0, hardLinksSplit: 0,
};

afterAll(async ({}, file) => {
  await writeReliabilitySection('writers', file, markdownTable(['race', 'rounds', 'written', 'lost'], [
    ['`rig init --name wN` ×4 at once in one home', seen.initRounds, `${seen.initWorkstations} workstations`, `${seen.initLost} workstations lost`],
    ['the app saving settings while 3 `rig init` write', seen.appRounds, `${seen.appWorkstations} workstations, ${seen.appChanges} app changes`, `${seen.appLost} workstations, ${seen.appChangesLost} app changes lost`],
    ['3 homes `rig ssh-config --install` at once into one ~/.ssh/config (as processes, and in step with each other\'s reads)', seen.installRounds, `${seen.includeLines} Include lines`, `${seen.includeLinesLost} Include lines lost`],
    ['another tool writes into ~/.ssh/config between CloudRig\'s read and its rename', seen.otherToolRounds, `${seen.otherLines} other tools' lines`, `${seen.otherLinesLost} other tools' lines lost`],
    ['~/.ssh/config hard-linked to a second name, install then remove', seen.hardLinkRounds, `${seen.hardLinkRounds * 2} edits`, `${seen.hardLinksSplit} hard links split`],
  ]));
});

const ROUNDS = 3;
/** Spawned `rig` processes start slowly on a loaded machine; a round takes several of them. */
const ROUND_MS = 120_000;

/** Starts `rig init --name <name>` in its own process for each name, all at once. */
function initAll(names: readonly string[]): Promise<RigResult[]> {
  return Promise.all(names.map((name) => world.rig(initArgs(world, ['--name', name]), { process: true })));
}

describe('settings.json with several writers at once', () => {
  it('four rig init at once in one home: every workstation is saved and listed by rig status, round after round', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await world.reset();
      const names = ['w1', 'w2', 'w3', 'w4'];
      const results = await initAll(names);
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const saved = Object.keys(new ConfSettingsStore(world.home).read().workstations);
      const listed = (await world.statusJson() as unknown as { name: string }[]).map((s) => s.name);
      seen.initRounds++;
      seen.initWorkstations += names.length;
      seen.initLost += names.filter((name) => !saved.includes(name) || !listed.includes(name)).length;
      expect(saved.sort()).toEqual(names);
      expect(listed.sort()).toEqual(names);
    }
  }, ROUNDS * ROUND_MS);

  it('the app saving its settings while rig init runs in other processes: both the app\'s changes and the workstations stay', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await world.reset();
      const names = ['a1', 'a2', 'a3'];
      // The app's store in this process, saving as the popover does when the user switches workstation.
      const app = new ConfSettingsStore(world.home);
      let done = false;
      const inits = initAll(names).finally(() => (done = true));
      const switched: string[] = [];
      for (let i = 0; !done; i++) {
        const key = `app-${i}`;
        app.update((current) => ({ ...current, lastUsed: { ...current.lastUsed, [key]: i } }));
        switched.push(key);
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const result of await inits) expect(result.code, result.stderr).toBe(0);
      const after = new ConfSettingsStore(world.home).read();
      seen.appRounds++;
      seen.appWorkstations += names.length;
      seen.appLost += names.filter((name) => !after.workstations[name]).length;
      seen.appChanges += switched.length;
      seen.appChangesLost += switched.filter((key) => after.lastUsed[key] === undefined).length;
      expect(Object.keys(after.workstations).sort()).toEqual(names);
      expect(switched.filter((key) => after.lastUsed[key] === undefined)).toEqual([]);
      // Each init records its workstation as the last one named, in the same field, beside the app's.
      expect(names.filter((name) => after.lastUsed[name] === undefined)).toEqual([]);
    }
  }, ROUNDS * ROUND_MS);
});

/** The user's own ssh config, which every edit must keep byte for byte. */
const USER_CONFIG = 'Host work\n  HostName work.example.com\n  User me\n';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cloudrig-writers-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** A fresh user home (HOME) holding ~/.ssh/config with the user's lines, and `homes` CloudRig homes. */
async function userWithHomes(round: number, homes: number): Promise<{ user: string; config: string; homes: string[] }> {
  const user = join(root, `user-${round}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(join(user, '.ssh'), { recursive: true, mode: 0o700 });
  const config = join(user, '.ssh', 'config');
  await writeFile(config, USER_CONFIG, { mode: 0o600 });
  const cloudrigHomes = await Promise.all(Array.from({ length: homes }, (_, i) => mkdtemp(join(user, `home-${i}-`))));
  return { user, config, homes: cloudrigHomes };
}

const includeOf = (home: string) => `Include "${join(home, 'ssh_config')}"`;

/** `rig ssh-config <args>` in its own process, with HOME pointing at `user` (so ~/.ssh/config is theirs). */
const sshConfigAs = (user: string, home: string, args: readonly string[] = ['--install']) =>
  world.rig(['ssh-config', ...args], { process: true, env: { HOME: user, CLOUDRIG_HOME: home, CLOUDRIG_SSH_CONFIG: '' } });

describe('~/.ssh/config with several writers at once', () => {
  it('three homes running rig ssh-config --install at once into one ~/.ssh/config: three Include lines and the user\'s lines, round after round', async () => {
    for (let round = 0; round < ROUNDS + 1; round++) {
      const { user, config, homes } = await userWithHomes(round, 3);
      const results = await Promise.all(homes.map((home) => sshConfigAs(user, home)));
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain(`Added at the top of ${config}: Include`);
      }
      const text = await readFile(config, 'utf8');
      seen.installRounds++;
      seen.includeLines += homes.length;
      seen.includeLinesLost += homes.filter((home) => !text.includes(includeOf(home))).length;
      for (const home of homes) expect(text).toContain(`${includeOf(home)}\n`);
      expect(text.endsWith(USER_CONFIG)).toBe(true);
      expect(text.split('\n').filter((line) => line.startsWith('Include '))).toHaveLength(3);
    }
  }, (ROUNDS + 1) * ROUND_MS);

  it('three homes whose installs all read ~/.ssh/config before any of them writes it: all three Include lines land', async () => {
    for (let round = 0; round < 5; round++) {
      const { config, homes } = await userWithHomes(round, 3);
      // Each installer, once it has read the file, waits for the other two to have read it too,
      // unless they are shut out by CloudRig's lock: without the lock, all three edit the same text.
      let reading = 0;
      const lockHeld = () => stat(`${config}.cloudrig-lock`).then(() => true, () => false);
      const installers = homes.map((home) => new SshConfigFiles({
        home, userConfigPath: config, settings: new ConfSettingsStore(home), keys: new FileKeyStore(home),
        whileEditing: async () => {
          reading++;
          await waitUntil('the other installers to read the file or wait for the lock', async () => reading >= 3 || await lockHeld());
        },
      }));
      const changes = await Promise.all(installers.map((files) => files.install()));
      expect(changes.map((change) => change.changed)).toEqual([true, true, true]);
      const text = await readFile(config, 'utf8');
      seen.installRounds++;
      seen.includeLines += homes.length;
      seen.includeLinesLost += homes.filter((home) => !text.includes(includeOf(home))).length;
      for (const home of homes) expect(text).toContain(`${includeOf(home)}\n`);
      expect(text.endsWith(USER_CONFIG)).toBe(true);
    }
  });

  it('a line another tool writes into ~/.ssh/config between CloudRig\'s read and its rename is kept, on install and on remove', async () => {
    for (let round = 0; round < 10; round++) {
      const { config, homes } = await userWithHomes(round, 1);
      const home = homes[0]!;
      const otherLines: string[] = [];
      // The other tool writes while CloudRig holds its lock, after it read the file and before it replaces it.
      const files = new SshConfigFiles({
        home, userConfigPath: config, settings: new ConfSettingsStore(home), keys: new FileKeyStore(home),
        whileEditing: async (path) => {
          const line = `Host other-tool-${round}-${otherLines.length}\n`;
          otherLines.push(line);
          await appendFile(path, line);
        },
      });
      const install = await files.install();
      expect(install.changed).toBe(true);
      const installed = await readFile(config, 'utf8');
      expect(installed.startsWith(`${includeOf(home)}\n${USER_CONFIG}`)).toBe(true);
      await files.remove();
      expect(otherLines).toHaveLength(2);
      const removed = await readFile(config, 'utf8');
      seen.otherToolRounds++;
      seen.otherLines += otherLines.length;
      seen.otherLinesLost += otherLines.filter((line) => !removed.includes(line)).length;
      expect(removed).toBe(`${USER_CONFIG}${otherLines.join('')}`);
    }
  });

  it('a hard-linked ~/.ssh/config stays one file: both names show the Include line after install, and the original after remove', async () => {
    for (let round = 0; round < 3; round++) {
      const { user, config, homes } = await userWithHomes(round, 1);
      const dotfiles = join(user, 'dotfiles-ssh-config');
      await link(config, dotfiles);
      const before = await stat(config);
      const install = await sshConfigAs(user, homes[0]!);
      expect(install.code, install.stderr).toBe(0);
      const afterInstall = await stat(config);
      const split = afterInstall.ino !== before.ino || afterInstall.nlink !== 2 || await readFile(dotfiles, 'utf8') !== await readFile(config, 'utf8');
      expect(await readFile(dotfiles, 'utf8')).toBe(`${includeOf(homes[0]!)}\n${USER_CONFIG}`);
      expect(await readFile(`${config}.cloudrig-backup`, 'utf8')).toBe(USER_CONFIG);
      const remove = await sshConfigAs(user, homes[0]!, ['--remove']);
      expect(remove.code, remove.stderr).toBe(0);
      const afterRemove = await stat(config);
      seen.hardLinkRounds++;
      seen.hardLinksSplit += split || afterRemove.ino !== before.ino || await readFile(dotfiles, 'utf8') !== USER_CONFIG ? 1 : 0;
      expect(afterRemove.ino).toBe(before.ino);
      expect(afterRemove.nlink).toBe(2);
      expect(await readFile(dotfiles, 'utf8')).toBe(USER_CONFIG);
      expect((afterRemove.mode & 0o777)).toBe(0o600);
    }
  }, 3 * ROUND_MS);
});

const RIG = join(import.meta.dirname, '..', '..', 'bin', 'rig.js');
/** Root reads any file: the unreadable-file cases run rig as nobody when the tests run as root. */
const NOBODY = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;

/** `rig` as a user who cannot read what the test made unreadable (nobody, when the tests run as root). */
function rigAsUser(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RigResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RIG, ...args], { env: { ...world.env, ...env }, timeout: 60_000, ...(NOBODY ?? {}) }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Every path under `dir`, itself first. */
async function treeOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return [dir, ...entries.map((entry) => join(dir, entry))];
}

/** Hands paths the test made to the user rig runs as. */
async function giveToUser(...paths: string[]): Promise<void> {
  if (!NOBODY) return;
  await chmod(root, 0o711); // mkdtemp made it 0700: nobody must pass through to reach its own part.
  for (const path of paths) await chown(path, NOBODY.uid, NOBODY.gid);
}

describe('files CloudRig cannot use say so in one line with their own fix', () => {
  it('a state folder that is a file: rig up stops before launching with one line saying to move it away', async () => {
    await world.reset();
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const state = join(world.home, 'state');
    await rm(state, { recursive: true, force: true });
    await writeFile(state, 'not a folder\n');
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code).toBe(1);
    expect(up.stderr.split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(lastLine(up.stderr)).toBe(`error: ${state} is a file, not a folder, so CloudRig cannot keep its state there. Fix: Move that file away (mv ${state} ${state}.moved) and try again; CloudRig makes the folder anew.`);
    expect((await world.instances()).filter((i) => i.State?.Name !== 'terminated')).toEqual([]);
  });

  it('a read-only state folder: rig up stops before launching with one line giving the chmod', async () => {
    await world.reset();
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const state = join(world.home, 'state');
    await mkdir(state, { recursive: true });
    await giveToUser(...await treeOf(world.home));
    await chmod(state, 0o500);
    const up = await rigAsUser(['up', '--no-wait-ssh'], { CLOUDRIG_HOME: world.home });
    expect(up.code).toBe(1);
    expect(up.stderr.split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(lastLine(up.stderr)).toBe(`error: ${state} is read-only for you, so CloudRig cannot keep its state there. Fix: Make it writable with \`chmod u+rwx ${state}\`, then try again.`);
    expect((await world.instances()).filter((i) => i.State?.Name !== 'terminated')).toEqual([]);
  });

  it('an unreadable ~/.ssh/config: rig ssh-config --install names it and the chmod that fixes it, and changes nothing', async () => {
    const { user, config, homes } = await userWithHomes(0, 1);
    await giveToUser(user, join(user, '.ssh'), config, homes[0]!);
    await chmod(config, 0o000);
    const install = await rigAsUser(['ssh-config', '--install'], { HOME: user, CLOUDRIG_HOME: homes[0]!, CLOUDRIG_SSH_CONFIG: '' });
    expect(install.code).toBe(1);
    expect(install.stderr.trim().split('\n')).toHaveLength(1);
    expect(install.stderr.trim()).toBe(`error: ${config} cannot be read: permission denied. Fix: Make it readable and writable for you with \`chmod u+rw ${config}\`, then try again.`);
    await chmod(config, 0o600);
    expect(await readFile(config, 'utf8')).toBe(USER_CONFIG);
  });
});

/** settings.json as these tests read and edit it by hand. */
interface SettingsJson {
  [field: string]: unknown;
  workstations: Record<string, Record<string, unknown>>;
  reminders: Record<string, unknown>;
}

describe('fields of settings.json CloudRig does not know', () => {
  const settingsFile = () => join(world.home, 'settings.json');
  const editSettings = async (edit: (json: SettingsJson) => void) => {
    const json = JSON.parse(await readFile(settingsFile(), 'utf8')) as SettingsJson;
    edit(json);
    await writeFile(settingsFile(), JSON.stringify(json, null, 2));
  };

  it('are named by rig status (stderr) and by the app\'s settings, and kept when rig and the app write the file', async () => {
    await world.reset();
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await editSettings((json) => {
      json.myTool = { synced: true };
      json.workstations.gpu!.note = 'for the demo';
      json.reminders.sound = 'bell';
    });
    const status = await world.rig(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toContain('warning: settings.json has fields CloudRig does not know, kept as they are: myTool, reminders.sound, workstations.gpu.note.\n');
    const json = await world.rig(['status', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'gpu' });

    const app = startApp(appOn(world, { start: false })).session;
    expect((await app.getSettings()).unknownFields).toEqual(['myTool', 'reminders.sound', 'workstations.gpu.note']);
    await app.updateSettings({ terminal: 'xterm' });
    const init = await world.rig(initArgs(world, ['--name', 'second']), { process: true });
    expect(init.code, init.stderr).toBe(0);

    const after = JSON.parse(await readFile(settingsFile(), 'utf8')) as SettingsJson;
    expect(after.myTool).toEqual({ synced: true });
    expect(after.workstations.gpu!.note).toBe('for the demo');
    expect(after.reminders.sound).toBe('bell');
    expect(after.terminal).toBe('xterm');
    expect(Object.keys(after.workstations).sort()).toEqual(['gpu', 'second']);
  });

  it('a misspelt known field (seedHostkey) is an error naming it and the field meant, and nothing rewrites the file', async () => {
    await world.reset();
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await editSettings((json) => {
      json.workstations.gpu!.seedHostkey = false;
    });
    const before = await readFile(settingsFile(), 'utf8');
    const path = settingsFile();
    for (const args of [['status'], initArgs(world, ['--name', 'other'])]) {
      const result = await world.rig(args);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`error: The settings file ${path} has a field CloudRig does not know at workstations.gpu.seedHostkey: did you mean seedHostKey? Fix: Rename seedHostkey to seedHostKey in ${path} (at workstations.gpu.seedHostkey).`);
    }
    expect(await readFile(settingsFile(), 'utf8')).toBe(before);
  });
});
