import type { ArchiveRecord, InstanceFacts, InstanceStateName, Snapshot } from '../../shared/workstation.js';
import type { ArchiveReminderInput } from '../archive-reminders.js';
import type { Fix, FixStep } from '../../shared/errors.js';
import { fixSteps } from '../../shared/fix-steps.js';
import { archiveAfterDaysOf, recordArchive } from '../archived-image.js';
import { isLive, keeperOf } from '../duplicates.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import { HOURS_PER_MONTH } from '../cost-meter.js';
import { POLL } from '../poll-policy.js';
import type { PriceSource } from '../price-catalog.js';
import type { CloudGateway } from '../ports.js';
import type { CloudRigCore } from './cloudrig-core.js';
import type { RunOptions } from './lifecycle.js';

/** What an archive will do, decided before anything changed. */
export interface ArchivePlan {
  readonly name: string;
  readonly region: string;
  /** The instance to archive; null when there is none left (an archive that already terminated it). */
  readonly instanceId: string | null;
  readonly state: InstanceStateName | null;
  /** The instance runs (or is starting): it is stopped first, which the caller asks the user about. */
  readonly needsStop: boolean;
  /** The archive recorded in the spec, when an earlier archive got that far. */
  readonly archived: ArchiveRecord | null;
}

/** What archiving saves a month: the stopped disk against the image's snapshots (an upper bound). */
export interface ArchiveSaving {
  readonly sizeGiB: number;
  /** The disk kept while stopped (gp3), USD a month. */
  readonly diskMonthlyUsd: number;
  /** The image's snapshots, priced at their full size (AWS bills only the blocks written), USD a month. */
  readonly archiveMonthlyUsd: number;
  /** At least this much less a month. */
  readonly savedMonthlyUsd: number;
  readonly priceSource: PriceSource;
}

/** What an archive did. */
export interface ArchiveResult {
  readonly name: string;
  readonly region: string;
  readonly imageId: string;
  /** The instance that was terminated (or had been, by an earlier run). */
  readonly instanceId: string;
  /** This run stopped the instance first. */
  readonly stopped: boolean;
  /** An earlier run had already terminated the instance: this one only confirmed the image. */
  readonly alreadyArchived: boolean;
  readonly saving: ArchiveSaving;
}

const DEFAULT_ARCHIVE_TIMEOUT_MS = 60 * 60_000;
const STARTING: ReadonlySet<InstanceStateName> = new Set(['pending', 'running']);

/** Looks at the workstation's instance and archive record without changing anything. */
export async function planArchive(core: CloudRigCore, name: string | undefined): Promise<ArchivePlan> {
  const spec = core.service.spec(name);
  const instance = keeperOf(await core.cloud.gateway(spec.region).findWorkstationInstances(spec.name));
  const live = instance !== null && isLive(instance) ? instance : null;
  if (live === null && !spec.archive) {
    throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}, so there is no disk to archive.`, { action: 'start', name: spec.name });
  }
  return {
    name: spec.name,
    region: spec.region,
    instanceId: live?.instanceId ?? null,
    state: live?.state ?? null,
    needsStop: live !== null && STARTING.has(live.state),
    archived: spec.archive ?? null,
  };
}

/**
 * Archives the workstation: stops its instance (the caller asked the user), saves an image of its
 * disk and waits until DescribeImages says available and every snapshot of it is completed, records
 * the image in the spec (so `up` launches from it), and only then terminates the instance. Every
 * step is the one `down --save-image` takes, so a rerun after a crash at any point finds the image
 * already saved from the instance and finishes the job; the disk is never deleted before its image
 * is confirmed.
 */
export async function archiveWorkstation(core: CloudRigCore, plan: ArchivePlan, options: RunOptions & { readonly timeoutMs?: number } = {}): Promise<ArchiveResult> {
  const spec = core.service.spec(plan.name);
  const gateway = core.cloud.gateway(spec.region);
  const deadline = core.clock.now() + (options.timeoutMs ?? DEFAULT_ARCHIVE_TIMEOUT_MS);
  let stopped = false;
  const current = keeperOf(await gateway.findWorkstationInstances(spec.name));
  const live = current !== null && isLive(current) ? current : null;
  if (live !== null && live.state !== 'stopped') {
    await core.service.stop(spec.name, options);
    stopped = STARTING.has(live.state);
  }
  // Set by the hook, once the image is confirmed and recorded (before the terminate).
  const recorded: { record: ArchiveRecord | null } = { record: null };
  try {
    const result = await core.service.down(spec.name, {
      ...options,
      saveImage: true,
      timeoutMs: Math.max(deadline - core.clock.now(), 1),
      beforeTerminate: async (imageId: string, instance: InstanceFacts) => {
        await verifyImage(core, gateway, spec.name, imageId, deadline, options);
        recorded.record = { imageId, instanceId: instance.instanceId, archivedAt: new Date(core.clock.now()).toISOString() };
        recordArchive(core.settings, spec.name, recorded.record);
      },
    });
    if (result.imageId === null && live !== null) {
      throw new CloudRigError('ImageFailed', `No image of ${live.instanceId} was saved.`, { action: 'archive-again', name: spec.name });
    }
  } catch (error) {
    // An earlier run terminated the instance after recording its image: nothing is left to do but confirm it.
    if (!(error instanceof CloudRigError && error.code === 'NoInstance' && spec.archive)) throw asArchiveError(error, spec.name);
  }
  const record = recorded.record ?? core.service.spec(spec.name).archive;
  if (!record) throw new CloudRigError('NoInstance', `Workstation ${spec.name} has no instance in ${spec.region}, so there is no disk to archive.`, { action: 'start', name: spec.name });
  await verifyImage(core, gateway, spec.name, record.imageId, deadline, options);
  return {
    name: spec.name,
    region: spec.region,
    imageId: record.imageId,
    instanceId: record.instanceId,
    stopped,
    alreadyArchived: recorded.record === null,
    // The disk CloudRig launched; its snapshots hold at most as much.
    saving: await archiveSaving(core, spec.region, spec.diskGiB),
  };
}

/**
 * Plans and carries out an archive in one go: the app's Archive (a click, or the reminder's
 * automatic archive) is itself the confirmation to stop a running box first.
 */
export async function archiveNow(core: CloudRigCore, name: string, options: RunOptions = {}): Promise<ArchiveResult> {
  return archiveWorkstation(core, await planArchive(core, name), options);
}

/** The archive reminder's settings for a workstation and, while it is stopped, what its disk and its image cost a month. */
export async function archiveReminderOptions(core: CloudRigCore, snapshot: Snapshot): Promise<Omit<ArchiveReminderInput, 'workstation' | 'now' | 'stoppedSince'>> {
  const spec = core.service.spec(snapshot.name);
  const saving = snapshot.phase === 'stopped' ? await archiveSaving(core, spec.region, spec.diskGiB).catch(() => null) : null;
  return {
    afterDays: archiveAfterDaysOf(spec),
    auto: spec.autoArchive === true,
    monthly: saving === null ? null : { diskUsd: saving.diskMonthlyUsd, archiveUsd: saving.archiveMonthlyUsd },
  };
}

/** What keeping `sizeGiB` as an image saves a month against keeping it as a stopped disk, from the price table. */
export async function archiveSaving(core: CloudRigCore, region: string, sizeGiB: number): Promise<ArchiveSaving> {
  const prices = await core.prices.storage(region);
  const diskMonthlyUsd = sizeGiB * prices.gp3GbMonth.usd;
  const archiveMonthlyUsd = sizeGiB * prices.snapshotGbMonth.usd;
  const live = prices.gp3GbMonth.source === 'live' && prices.snapshotGbMonth.source === 'live';
  return { sizeGiB, diskMonthlyUsd, archiveMonthlyUsd, savedMonthlyUsd: diskMonthlyUsd - archiveMonthlyUsd, priceSource: live ? 'live' : 'bundled' };
}

/** The week a stopped disk costs and the week its archive costs, for the reminder's words. */
export function weekOf(monthlyUsd: number): number {
  return (monthlyUsd * 7 * 24) / HOURS_PER_MONTH;
}

/**
 * Waits until the image is available and each of its snapshots is completed (an image can be
 * listed available while a snapshot still copies); fails at once on a failed image or snapshot.
 */
async function verifyImage(core: CloudRigCore, gateway: CloudGateway, name: string, imageId: string, deadline: number, options: RunOptions) {
  options.onStep?.({ id: 'verifying', label: `Checking that ${imageId} is available and its snapshots are completed`, imageId });
  let delay: number = POLL.fast;
  for (;;) {
    const image = await gateway.describeImage(imageId);
    if (image === null || ['failed', 'invalid', 'error', 'deregistered'].includes(image.state)) {
      throw new CloudRigError('ImageFailed', `Image ${imageId} is ${image === null ? 'gone' : image.state}; the instance was not terminated.`, { action: 'archive-again', name });
    }
    if (image.state === 'available') {
      if (image.snapshotIds.length === 0) {
        throw new CloudRigError('ImageFailed', `Image ${imageId} lists no snapshot of the disk; the instance was not terminated.`, { action: 'archive-again', name });
      }
      const states = await gateway.snapshotStates(image.snapshotIds);
      const failed = states.find((s) => s.state === 'error');
      if (failed) throw new CloudRigError('ImageFailed', `Snapshot ${failed.snapshotId} of ${imageId} failed; the instance was not terminated.`, { action: 'archive-again', name });
      if (image.snapshotIds.every((id) => states.some((s) => s.snapshotId === id && s.state === 'completed'))) return image;
    }
    if (core.clock.now() >= deadline) {
      throw new CloudRigError('Timeout', `Image ${imageId} is not confirmed yet (${image.state}); the instance was not terminated.`, { action: 'archive-again', name });
    }
    await core.clock.sleep(delay, options.signal);
    delay = Math.min(delay * 2, POLL.slowest);
  }
}

/** The fixes `down --save-image` gives name its own command: an archive's are to archive again. */
function asArchiveError(error: unknown, name: string): CloudRigError {
  const info = toErrorInfo(error);
  const downOnly = new Set<FixStep['action']>(['retry-image', 'wait-for-image', 'review-image']);
  const steps = fixSteps(info.fix).map((step): FixStep => (downOnly.has(step.action) ? { action: 'archive-again', name } : step));
  const unique = steps.filter((step, index) => steps.findIndex((other) => JSON.stringify(other) === JSON.stringify(step)) === index);
  const fix: Fix = unique.length === 1 ? unique[0]! : { action: 'steps', steps: unique };
  return new CloudRigError(info.code, info.message, fix);
}
