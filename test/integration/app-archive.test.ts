import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import type { WorkstationSpec } from '../../src/shared/workstation.js';
import { appOn, useApps } from '../support/app-harness.js';
import { useRigWorld } from '../support/rig-harness.js';
import { launchedBox } from '../support/launched-box.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { waitUntil } from '../support/wait-until.js';

// The app's face of archive: the popover's Archive, the reminder's Archive answer and the automatic
// archive all reach the archive use case through the real IPC handlers and session, against moto +
// the cloud proxy.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300, shuttingDownMs: 300 }, eachTest: { init: true } });
const start = useApps();
const DAY = 24 * 3_600_000;

async function settingsFile(): Promise<{ workstations: Record<string, WorkstationSpec> }> {
  return JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, WorkstationSpec> };
}

async function live() {
  return (await world.instances()).filter((i) => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down');
}

/** Workstation gpu with a stopped instance. */
const stoppedBox = (): Promise<string> => launchedBox(world, 'stopped');

describe('archive in the app', () => {
  it('the popover\'s Archive (workstation:archive) saves the disk as an image, terminates, and Start then launches from the image', async () => {
    const instanceId = await stoppedBox();
    const { session } = start(appOn(world));
    const handlers = ipcHandlers(session, async () => undefined);
    await waitUntil('the app sees the box stopped', () => session.view().workstation?.phase === 'stopped');

    await handlers['workstation:archive'](undefined);
    await session.settled();
    expect(session.view().workstation?.error ?? null).toBeNull();
    expect(await live()).toEqual([]);
    const archive = (await settingsFile()).workstations.gpu!.archive;
    expect(archive).toMatchObject({ instanceId, imageId: expect.stringMatching(/^ami-/) });
    await waitUntil('the popover shows it archived', () => session.view().workstation?.phase === 'absent');
    expect(session.view().workstation?.detail).toBe(`Archived to ${archive!.imageId} on ${archive!.archivedAt.slice(0, 10)}: the next launch starts from that image, with its disk as it was.`);

    await handlers['workstation:start'](undefined);
    await session.settled();
    const [launched] = await live();
    expect(launched!.ImageId).toBe(archive!.imageId);
  }, 120_000);

  it('a box stopped for 7 days: the reminder offers Archive, and answering Archive archives it', async () => {
    await stoppedBox();
    const clock = new ShiftedClock();
    clock.jump(7 * DAY + 60_000);
    const { session, record } = start(appOn(world, { clock, tickMs: 200 }));
    const handlers = ipcHandlers(session, async () => undefined);
    await waitUntil('the stopped reminder', () => record.notifications.some((n) => n.kind === 'reminder'));
    const reminder = record.notifications.find((n) => n.kind === 'reminder')!;
    expect(reminder.title).toBe('gpu has been stopped for 7 days');
    expect(reminder.body).toContain('Its disk costs $8.00 a month while stopped; archived, at most $5.00.');
    expect(reminder.buttons).toEqual([{ id: 'archive', label: 'Archive' }]);
    // Offered, not done: nothing is archived until the user answers.
    expect((await settingsFile()).workstations.gpu!.archive).toBeUndefined();
    expect(await live()).toHaveLength(1);

    await handlers['reminder:answer']({ action: 'archive' });
    await session.settled();
    expect(await live()).toEqual([]);
    expect((await settingsFile()).workstations.gpu!.archive?.imageId).toMatch(/^ami-/);
  }, 120_000);

  it('automatic archive (turned on for the workstation): the notice the day before, then the archive a day after it, never before', async () => {
    await stoppedBox();
    const file = await settingsFile();
    file.workstations.gpu!.autoArchive = true;
    await writeFile(join(world.home, 'settings.json'), JSON.stringify(file));
    const clock = new ShiftedClock();
    clock.jump(6 * DAY + 60_000);
    const { session, record } = start(appOn(world, { clock, tickMs: 200 }));
    await waitUntil('the notice the day before', () => record.notifications.some((n) => n.title === 'gpu will be archived tomorrow'));
    // Told, not done: the archive waits a day after the notice.
    await session.settled();
    expect(record.notifications.map((n) => n.title)).not.toContain('Archiving gpu: stopped for 6 days');
    expect(await live()).toHaveLength(1);
    expect((await settingsFile()).workstations.gpu!.archive).toBeUndefined();

    clock.jump(DAY);
    await waitUntil('the automatic archive', async () => (await settingsFile()).workstations.gpu!.archive !== undefined && (await live()).length === 0, 90_000);
    expect(record.notifications.map((n) => n.title)).toContain('Archiving gpu: stopped for 7 days');
    await session.settled();
  }, 150_000);
});
