import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { useRigWorld, type RigResult } from '../support/rig-harness.js';
import { markdownTable, writeReliabilitySection } from '../support/reliability-report.js';
import { untilKillPoint } from '../support/kill-point.js';
import { launchedBox } from '../support/launched-box.js';

/**
 * kill -9 of `rig archive` at each step, each step held by the cloud proxy until the kill; then AWS
 * is inspected and `rig archive` run again. The disk must never be lost: the instance is terminated
 * only once an image saved from it is available. Kill points are reached by waiting for a condition
 * (a request applied, a line of rig's output), never by sleeping.
 */
const HOLD = { pendingMs: 300, stoppingMs: 1_000, shuttingDownMs: 1_000 };
const world = useRigWorld({ hold: HOLD, eachTest: { init: true } });

/** How long the proxy holds a request's answer (or an image's pending state) at a kill point: far longer than reaching it takes. */
const HOLD_MS = 8_000;
const GONE = new Set(['shutting-down', 'terminated']);

interface Row {
  readonly step: string;
  readonly atKill: string;
  readonly rerun: string;
  readonly liveAfter: number;
  readonly images: number;
  readonly disksLost: number;
  readonly passed: boolean;
}
const rows: Row[] = [];

afterAll(async ({}, file) => {
  const lost = rows.reduce((sum, row) => sum + row.disksLost, 0);
  await writeReliabilitySection('archive-kills', file, [
    `${rows.length} kill points, ${rows.filter((r) => r.passed).length} converged; **disks lost: ${lost}**. "At the kill" is what AWS held right after the SIGKILL; `
      + '"disks lost" counts the observations (at the kill, and after the rerun) of the instance terminated or terminating while no available image saved from it existed.',
    '',
    markdownTable(
      ['step killed', 'at the kill', 'rerun outcome', 'live instances after', 'images after', 'disks lost', 'passed'],
      rows.map((r) => [r.step, r.atKill, r.rerun, r.liveAfter, r.images, r.disksLost, r.passed ? 'yes' : 'NO']),
    ),
  ].join('\n'));
});

async function workstationImages(): Promise<Image[]> {
  const ec2 = world.ec2();
  try {
    return (await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:cloudrig:workstation', Values: ['gpu'] }] }))).Images ?? [];
  } finally {
    ec2.destroy();
  }
}

/** What AWS holds for the instance being archived, and whether its disk is lost (gone with no available image saved from it). */
async function observe(instanceId: string): Promise<{ state: string; available: Image[]; images: Image[]; lost: boolean }> {
  const instance = (await world.instances()).find((i) => i.InstanceId === instanceId);
  const state = instance?.State?.Name ?? 'gone';
  const images = await workstationImages();
  const available = images.filter((image) => image.State === 'available'
    && (image.Tags ?? []).some((tag) => tag.Key === 'cloudrig:source-instance' && tag.Value === instanceId));
  return { state, available, images, lost: (state === 'gone' || GONE.has(state)) && available.length === 0 };
}

/** Starts `rig archive --yes` in its own process, waits for the kill point, and kills it with SIGKILL. */
async function killAt(what: string, condition: (output: string) => boolean | Promise<boolean>): Promise<void> {
  const child = world.spawnRig(['archive', 'gpu', '--yes']);
  await untilKillPoint(what, () => condition(child.output()), child);
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  expect(child.signalCode, `rig finished before being killed at ${what}`).toBe('SIGKILL');
}

const launched = (state: 'running' | 'stopped'): Promise<string> => launchedBox(world, state);

function outcome(result: RigResult): string {
  const last = result.stderr.trim().split('\n').filter((l) => l.startsWith('error:') || l.startsWith('✔')).at(-1) ?? '';
  // Ids differ per run: the table shows the outcome, not them.
  const plain = last.replace(/\bi-[0-9a-f]+/g, 'i-…').replace(/\bami-[0-9a-f]+/g, 'ami-…');
  return `exit ${result.code}${plain ? `: ${plain}` : ''}`;
}

const archived = (r: RigResult) => r.code === 0 && /gpu (is|was already) archived to ami-\S+/.test(r.stderr);

/** Runs `rig archive` again, inspects AWS and the spec, records the row and asserts it. */
async function rerunAndCheck(step: string, instanceId: string, atKill: Awaited<ReturnType<typeof observe>>): Promise<RigResult> {
  const again = await world.rig(['archive', 'gpu', '--yes', '--json'], { process: true });
  const after = await observe(instanceId);
  const spec = (JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, { archive?: { imageId: string } }> }).workstations.gpu!;
  const live = (await world.instances()).filter((i) => !GONE.has(i.State?.Name ?? ''));
  const disksLost = Number(atKill.lost) + Number(after.lost);
  const row: Row = {
    step,
    atKill: `instance ${atKill.state}, ${atKill.available.length} available image${atKill.available.length === 1 ? '' : 's'}`,
    rerun: outcome(again),
    liveAfter: live.length,
    images: after.images.length,
    disksLost,
    passed: archived(again) && disksLost === 0 && live.length === 0 && after.images.length === 1 && spec.archive?.imageId === after.available[0]?.ImageId,
  };
  rows.push(row);
  expect(row, `${again.stdout}\n${again.stderr}`).toMatchObject({ disksLost: 0, liveAfter: 0, images: 1, passed: true });
  return again;
}

describe('kill -9 during rig archive, then rig archive again: the disk is never lost', () => {
  it('while stopping the running box first', async () => {
    const instanceId = await launched('running');
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'StopInstances');
    await killAt('StopInstances applied', () => (world.cloud.proxy.applied().StopInstances ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'StopInstances');
    const atKill = await observe(instanceId);
    expect(world.cloud.proxy.counts().CreateImage ?? 0).toBe(0);
    await rerunAndCheck('stopping the running instance (StopInstances applied, answer held)', instanceId, atKill);
  }, 120_000);

  it('after CreateImage was sent, its answer held', async () => {
    const instanceId = await launched('stopped');
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'CreateImage');
    await killAt('CreateImage applied', () => (world.cloud.proxy.applied().CreateImage ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'CreateImage');
    const atKill = await observe(instanceId);
    expect(atKill.state).toBe('stopped');
    const again = await rerunAndCheck('CreateImage applied, answer held', instanceId, atKill);
    // The rerun found the image the killed run asked for: one CreateImage in all.
    expect(again.stderr).toMatch(/Reusing image ami-\S+ \((pending|available)\) already saved from i-/);
    expect(world.cloud.proxy.counts().CreateImage).toBe(1);
  }, 120_000);

  it('while waiting for the image to be available', async () => {
    const instanceId = await launched('stopped');
    world.cloud.proxy.setImagePendingMs(HOLD_MS);
    await killAt('the image wait', (output) => /Waiting for ami-\S+ to be available/.test(output));
    const atKill = await observe(instanceId);
    expect(atKill.state).toBe('stopped');
    expect(world.cloud.proxy.counts().TerminateInstances ?? 0).toBe(0);
    const again = await rerunAndCheck('waiting for the image to be available (image held pending)', instanceId, atKill);
    expect(again.stderr).toMatch(/Reusing image ami-\S+ \(pending\) already saved from i-/);
    expect(world.cloud.proxy.counts().CreateImage).toBe(1);
  }, 120_000);

  it('after TerminateInstances was sent, its answer held', async () => {
    const instanceId = await launched('stopped');
    world.cloud.proxy.setAnswerDelay(HOLD_MS, 'TerminateInstances');
    await killAt('TerminateInstances applied', () => (world.cloud.proxy.applied().TerminateInstances ?? 0) >= 1);
    world.cloud.proxy.setAnswerDelay(0, 'TerminateInstances');
    const atKill = await observe(instanceId);
    // Terminated only once its image was available.
    expect(atKill.available).toHaveLength(1);
    const again = await rerunAndCheck('TerminateInstances applied, answer held', instanceId, atKill);
    expect(JSON.parse(again.stdout)).toMatchObject({ instanceId, alreadyArchived: true });
    expect(world.cloud.proxy.counts().CreateImage).toBe(1);
  }, 120_000);
});
