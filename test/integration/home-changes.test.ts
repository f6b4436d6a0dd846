import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileHomeChanges } from '../../src/adapters/store/home-change-file.js';
import type { HomeChange } from '../../src/core/home-changes.js';

// The file `rig` writes after a change and the app watches, on the real file system.
let home: string;
const stops: (() => void)[] = [];

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cloudrig-changes-'));
});

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await rm(home, { recursive: true, force: true });
});

function listen(changes: FileHomeChanges): HomeChange[] {
  const heard: HomeChange[] = [];
  stops.push(changes.watch((change) => heard.push(change)));
  return heard;
}

describe.each(['watch', 'poll'] as const)('the home change file (%s)', (mode) => {
  it('hands each announcement of another process to the watcher once, with what changed', async () => {
    const heard = listen(new FileHomeChanges(home, { mode, pid: 1 }));
    const rig = new FileHomeChanges(home, { pid: 2 });

    await rig.announce({ command: 'stop', workstation: 'gpu', stage: 'running' });
    await expect.poll(() => heard.length).toBe(1);
    await rig.announce({ command: 'stop', workstation: 'gpu', stage: 'done' });
    await expect.poll(() => heard.map((c) => `${c.command}:${c.stage}`)).toEqual(['stop:running', 'stop:done']);
    expect(heard[1]).toMatchObject({ workstation: 'gpu', pid: 2 });
    expect(heard[0]!.id).not.toBe(heard[1]!.id);
  });

  it('ignores its own process\'s announcements, and does not replay one made before it started', async () => {
    const rig = new FileHomeChanges(home, { pid: 2 });
    await rig.announce({ command: 'up', workstation: 'gpu', stage: 'done' });
    const app = new FileHomeChanges(home, { mode, pid: 1 });
    const heard = listen(app);
    await app.announce({ command: 'settings', workstation: null, stage: 'done' });
    await rig.announce({ command: 'down', workstation: 'gpu', stage: 'done' });
    // The rig's later announcement arrives; neither the earlier one nor the app's own does.
    await expect.poll(() => heard.map((c) => c.command)).toEqual(['down']);
  });
});

describe('the home change file on disk', () => {
  it('is written whole by a rename (no temp file left), readable by its owner only, and garbage in it is ignored', async () => {
    const heard = listen(new FileHomeChanges(home, { pid: 1 }));
    await writeFile(join(home, 'state', 'changed'), '{"half":');
    await new FileHomeChanges(home, { pid: 2 }).announce({ command: 'init', workstation: null, stage: 'done' });
    await expect.poll(() => heard.map((c) => c.command)).toEqual(['init']);
    expect(await readdir(join(home, 'state'))).toEqual(['changed']);
    expect((await stat(join(home, 'state', 'changed'))).mode & 0o777).toBe(0o600);
  });

  it('does not fail the command when the home cannot be written', async () => {
    await writeFile(join(home, 'state'), 'a file where the folder should be');
    await expect(new FileHomeChanges(home).announce({ command: 'stop', workstation: 'gpu', stage: 'done' })).resolves.toBeUndefined();
  });
});
