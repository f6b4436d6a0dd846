import type { ArchiveRecord } from '../shared/workstation.js';

/** `rig status`'s line for an archived workstation: where its disk is, and what `rig up` does. */
export function archivedLine(name: string, archive: ArchiveRecord): string {
  return `Archived to ${archive.imageId} on ${archive.archivedAt.slice(0, 10)} (its disk, from ${archive.instanceId}): \`rig up ${name}\` launches from it.`;
}
