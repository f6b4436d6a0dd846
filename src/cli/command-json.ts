import type { KeptPath, SyncSummary } from '../core/app/face.js';
import type { InstanceStateName, Snapshot } from '../shared/workstation.js';

/** `rig stop --json`: the instance and the state it reached. */
export interface StopJson {
  readonly name: string;
  readonly instanceId: string | null;
  readonly state: InstanceStateName | 'absent';
}

/** `rig down --json`: whether the instance was terminated (false when the prompt was declined), and the image saved first. */
export interface DownJson {
  readonly name: string;
  readonly instanceId: string | null;
  readonly terminated: boolean;
  readonly imageId: string | null;
}

/** `rig snooze --json`: until when the idle auto-stop and the reminders wait. */
export interface SnoozeJson {
  readonly name: string;
  readonly hours: number;
  /** ISO 8601, UTC. */
  readonly until: string;
}

/** `rig ssh-command --json`: the command `rig ssh-command` prints. */
export interface SshCommandJson {
  readonly name: string;
  readonly command: string;
}

/** `rig push --json` and `rig pull --json`: what one copy did. */
export interface CopyJson {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Paths copied, relative to the copied folder ("" for a single file). */
  readonly copied: readonly string[];
  /** Files left alone because they already matched. */
  readonly skipped: number;
  /** Files left out by .git and .gitignore. */
  readonly ignored: number;
  /** Bytes sent. */
  readonly bytes: number;
  /** Paths left as they were, with why ("unsafe-name": refused, a name from the box that is not a plain file name). */
  readonly kept: readonly KeptPath[];
}

/** `rig stop --json`'s object. */
export function stopJson(snapshot: Snapshot): StopJson {
  return { name: snapshot.name, instanceId: snapshot.instance?.instanceId ?? null, state: snapshot.instance?.state ?? 'absent' };
}

/** `rig push/pull --json`'s object. */
export function copyJson(name: string, sides: { readonly from: string; readonly to: string }, summary: SyncSummary): CopyJson {
  return { name, from: sides.from, to: sides.to, copied: summary.copied, skipped: summary.skipped, ignored: summary.ignored, bytes: summary.bytes, kept: summary.kept };
}
