// What an archived workstation launches from, and the spec's record of the archive. The launch
// path (WorkstationService.up) and the archive use case (core/app/archive.ts) share these, so the
// record is written and read in one way.
import type { ArchiveRecord, WorkstationSpec } from '../shared/workstation.js';
import { ARCHIVE_AFTER_DAYS } from '../shared/limits.js';
import { CloudRigError } from './errors.js';
import type { CloudGateway, ResolvedImage, SettingsStore } from './ports.js';

/** Days stopped before the reminder offers Archive for this workstation. */
export function archiveAfterDaysOf(spec: WorkstationSpec): number {
  return spec.archiveAfterDays ?? ARCHIVE_AFTER_DAYS.default;
}

/**
 * The image a launch of `spec` starts from: its archive image when it is archived (whatever
 * preferSavedImage says: the disk lives only there), else what the spec names. An archive image
 * that is gone or not available is refused, never replaced by a blank image unasked.
 */
export async function resolveLaunchImage(gateway: CloudGateway, spec: WorkstationSpec): Promise<ResolvedImage> {
  const archive = spec.archive;
  if (!archive) return gateway.resolveImage(spec.image, spec.name, spec.preferSavedImage);
  const image = await gateway.describeImage(archive.imageId);
  if (image?.state !== 'available') {
    throw new CloudRigError('ArchiveImageGone',
      `${spec.name} was archived to ${archive.imageId}, which ${image ? `is ${image.state}` : `no longer exists in ${spec.region}`}; nothing was launched.`,
      { action: 'forget-archive', name: spec.name, imageId: archive.imageId });
  }
  return { ...(await gateway.resolveImage({ kind: 'ami', imageId: archive.imageId }, spec.name, false)), source: 'saved' };
}

/** The popover's line for a workstation with no instance that is archived: where its disk is; null otherwise. */
export function archivedDetail(phase: string, spec: WorkstationSpec | undefined): string | null {
  if (phase !== 'absent' || !spec?.archive) return null;
  return `Archived to ${spec.archive.imageId} on ${spec.archive.archivedAt.slice(0, 10)}: the next launch starts from that image, with its disk as it was.`;
}

/**
 * Sets (or, with null, clears) the workstation's archive record, changing only that field of the
 * spec as the file holds it now: another writer's change to the rest is kept. Clearing a record
 * of another image (`onlyImageId`) leaves it: a newer archive must not be forgotten by an old launch.
 */
export function recordArchive(settings: SettingsStore, name: string, record: ArchiveRecord | null, onlyImageId?: string): void {
  settings.update((current) => {
    const spec = current.workstations[name];
    if (!spec) return current;
    if (record === null && (spec.archive === undefined || (onlyImageId !== undefined && spec.archive.imageId !== onlyImageId))) return current;
    const { archive: _old, ...rest } = spec;
    const next: WorkstationSpec = record === null ? rest : { ...rest, archive: record };
    return { ...current, workstations: { ...current.workstations, [name]: next } };
  });
}
