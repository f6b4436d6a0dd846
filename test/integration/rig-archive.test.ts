import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';
import { launchedBox } from '../support/launched-box.js';

const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300, shuttingDownMs: 300 }, eachTest: { init: true } });

interface SpecOnFile {
  preferSavedImage?: boolean;
  archiveAfterDays?: number;
  autoArchive?: boolean;
  archive?: { imageId: string; instanceId: string; archivedAt: string };
}

async function settingsFile(): Promise<{ workstations: Record<string, SpecOnFile> }> {
  return JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, SpecOnFile> };
}

async function spec(): Promise<SpecOnFile> {
  return (await settingsFile()).workstations.gpu!;
}

/** The workstation's instances that are not terminated. */
async function live() {
  return (await world.instances()).filter((i) => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down');
}

const launched = (state: 'running' | 'stopped'): Promise<string> => launchedBox(world, state);

function errorLine(stderr: string): string {
  return stderr.trim().split('\n').filter((line) => line.startsWith('error: ')).at(-1) ?? stderr;
}

async function withEc2<T>(work: (ec2: EC2Client) => Promise<T>): Promise<T> {
  const ec2 = world.ec2();
  try {
    return await work(ec2);
  } finally {
    ec2.destroy();
  }
}

describe('rig archive: a forgotten stopped box stops billing its disk', () => {
  it('saves the disk as an image, terminates only once the image and its snapshots are confirmed, records it, and says what it saves a month', async () => {
    const instanceId = await launched('stopped');

    const archive = await world.rig(['archive', 'gpu', '--json']);
    expect(archive.code, archive.stderr).toBe(0);
    const result = JSON.parse(archive.stdout) as { imageId: string };
    // A 100 GiB disk in us-east-1: $8.00 a month as gp3, at most $5.00 as snapshots (the shipped price table).
    expect(result).toMatchObject({
      name: 'gpu', region: 'us-east-1', instanceId, stopped: false, alreadyArchived: false,
      saving: { sizeGiB: 100, diskMonthlyUsd: 8, archiveMonthlyUsd: 5, savedMonthlyUsd: 3, priceSource: 'bundled' },
    });
    expect(archive.stderr).toContain(`gpu is archived to ${result.imageId} and ${instanceId} is terminated; \`rig up gpu\` launches from the image.`);
    expect(archive.stderr).toContain('Saves at least $3.00 a month: the 100 GiB disk cost $8.00 a month while stopped; its image costs at most $5.00');

    // The image was confirmed (DescribeImages, then its snapshots) before the one TerminateInstances.
    const log = world.cloud.proxy.requestLog();
    const terminate = log.indexOf('TerminateInstances');
    expect(terminate).toBeGreaterThan(log.lastIndexOf('DescribeSnapshots', terminate));
    expect(log.lastIndexOf('DescribeSnapshots', terminate)).toBeGreaterThan(log.indexOf('CreateImage'));
    expect(log.filter((action) => action === 'TerminateInstances')).toHaveLength(1);

    expect(await live()).toEqual([]);
    const images = await withEc2(async (ec2) => (await ec2.send(new DescribeImagesCommand({ ImageIds: [result.imageId] }))).Images ?? []);
    expect(images.map((image) => image.State)).toEqual(['available']);
    const snapshotIds = images[0]!.BlockDeviceMappings!.flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
    const snapshots = await withEc2(async (ec2) => (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }))).Snapshots ?? []);
    expect(snapshots.map((s) => s.State)).toEqual(snapshotIds.map(() => 'completed'));
    expect((await spec()).archive).toMatchObject({ imageId: result.imageId, instanceId });

    const status = await world.rig(['status', 'gpu']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^Archived to ${result.imageId} on \\d{4}-\\d{2}-\\d{2} \\(its disk, from ${instanceId}\\): \`rig up gpu\` launches from it\\.$`, 'm'));
    // Scripts see the same record: the image the next launch starts from.
    const json = await world.rig(['status', 'gpu', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ state: 'absent', archive: { imageId: result.imageId, instanceId, archivedAt: expect.stringMatching(/^\d{4}-/) } });
  });

  it('waits for the image\'s snapshots to complete (the image already listed available) before it terminates anything', async () => {
    await launched('stopped');
    world.cloud.proxy.setSnapshotPendingMs(2_000);
    const archive = await world.rig(['archive', 'gpu']);
    expect(archive.code, archive.stderr).toBe(0);
    expect(archive.stderr).toMatch(/Checking that ami-\S+ is available and its snapshots are completed/);
    const log = world.cloud.proxy.requestLog();
    const terminate = log.indexOf('TerminateInstances');
    // At least one answer said pending, and the terminate came only after the one that said completed.
    expect(log.slice(0, terminate).filter((action) => action === 'DescribeSnapshots').length).toBeGreaterThanOrEqual(2);
    expect(await live()).toEqual([]);
  });

  it('rig up on an archived workstation launches from its archive image without being asked, even when the spec prefers no saved image', async () => {
    await launched('stopped');
    const archive = await world.rig(['archive', '--json']);
    expect(archive.code, archive.stderr).toBe(0);
    const { imageId } = JSON.parse(archive.stdout) as { imageId: string };
    const file = await settingsFile();
    file.workstations.gpu!.preferSavedImage = false;
    await writeFile(join(world.home, 'settings.json'), JSON.stringify(file));

    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(`from ${imageId} (saved)`);
    const [instance] = await live();
    expect(instance!.ImageId).toBe(imageId);
    // Launched from it: no longer archived, so a later launch follows the spec again.
    expect((await spec()).archive).toBeUndefined();
  });

  it('asks before stopping a running box: without a terminal it refuses with the flag that confirms; with --yes it stops, then archives', async () => {
    const instanceId = await launched('running');

    const refused = await world.rig(['archive', 'gpu']);
    expect(refused.code).toBe(1);
    expect(errorLine(refused.stderr)).toBe(`error: gpu's instance ${instanceId} is running; it is stopped before its disk is archived, and there is no terminal to ask whether to stop it. Fix: Pass --yes to confirm.`);
    expect(world.cloud.proxy.counts().StopInstances ?? 0).toBe(0);
    expect((await live()).map((i) => i.State?.Name)).toEqual(['running']);

    const archive = await world.rig(['archive', 'gpu', '--yes', '--json']);
    expect(archive.code, archive.stderr).toBe(0);
    expect(JSON.parse(archive.stdout)).toMatchObject({ instanceId, stopped: true, alreadyArchived: false });
    // Stopped before the image was made: the image holds a disk no process was writing.
    const log = world.cloud.proxy.requestLog();
    expect(log.indexOf('StopInstances')).toBeGreaterThanOrEqual(0);
    expect(log.indexOf('StopInstances')).toBeLessThan(log.indexOf('CreateImage'));
    expect(await live()).toEqual([]);
  });

  it('says there is nothing to archive when the workstation has no instance and no archive', async () => {
    const archive = await world.rig(['archive', 'gpu']);
    expect(archive.code).toBe(1);
    expect(errorLine(archive.stderr)).toBe('error: Workstation gpu has no instance in us-east-1, so there is no disk to archive. Fix: Start it with `rig up gpu`.');
  });

  it('rig init --archive-after-days and --auto-archive set when the reminder offers Archive and whether the app archives by itself; a bad number is one line naming the flag', async () => {
    const set = await world.rig(['init', '--archive-after-days', '3', '--auto-archive']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Archive: after 3 days stopped the app archives it by itself (a notice the day before); `rig archive` does it now.');
    expect(await spec()).toMatchObject({ archiveAfterDays: 3, autoArchive: true });

    const off = await world.rig(['init', '--no-auto-archive']);
    expect(off.code, off.stderr).toBe(0);
    expect(await spec()).toMatchObject({ archiveAfterDays: 3, autoArchive: false });

    const bad = await world.rig(['init', '--archive-after-days', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('error: option \'--archive-after-days <n>\' argument \'0\' is invalid. "0" is not a whole number from 1 to 365. Fix: --archive-after-days: pass a number from 1 to 365.');
    expect((await spec()).archiveAfterDays).toBe(3);
  });
});
