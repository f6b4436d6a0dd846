import type { KeptPath, SetUpResult, SyncSummary } from '../core/app/face.js';
import type { Fix } from '../shared/errors.js';
import type { ImageSource, InstanceStateName, Snapshot } from '../shared/workstation.js';
import { cliFix } from './fix-wording.js';

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

/**
 * `rig init --json`: the spec as saved, what this run created in AWS (`key-pair`, `security-group`;
 * empty when both were there), where the private key is, warnings (the fix worded for a shell and
 * as data), and the command that starts it.
 */
export interface InitJson {
  readonly name: string;
  readonly region: string;
  readonly instanceType: string;
  readonly spot: boolean;
  readonly image: ImageSource;
  readonly diskGiB: number;
  readonly ingressCidr: string;
  /** Minutes idle before the instance stops itself; null when the idle auto-stop is off. */
  readonly idleMinutes: number | null;
  readonly setupScript: boolean;
  readonly created: readonly string[];
  readonly keyPath: string;
  readonly warnings: readonly { readonly message: string; readonly fix: string; readonly remedy: Fix }[];
  readonly next: string;
}

/** `rig init --json`'s object; `next` is the `rig up` that starts the workstation. */
export function initJson(result: SetUpResult, next: string): InitJson {
  const { spec } = result;
  return {
    name: spec.name,
    region: spec.region,
    instanceType: spec.instanceType,
    spot: spec.spot,
    image: spec.image,
    diskGiB: spec.diskGiB,
    ingressCidr: spec.ingressCidr,
    idleMinutes: spec.autoStop.enabled ? spec.autoStop.idleMinutes : null,
    setupScript: spec.setupScript !== null && spec.setupScript !== undefined,
    created: result.created,
    keyPath: result.keyPath,
    warnings: result.warnings.map((warning) => ({ message: warning.message, fix: cliFix(warning.fix), remedy: warning.fix })),
    next,
  };
}

/** `rig stop --json`'s object. */
export function stopJson(snapshot: Snapshot): StopJson {
  return { name: snapshot.name, instanceId: snapshot.instance?.instanceId ?? null, state: snapshot.instance?.state ?? 'absent' };
}

/** `rig push/pull --json`'s object. */
export function copyJson(name: string, sides: { readonly from: string; readonly to: string }, summary: SyncSummary): CopyJson {
  return { name, from: sides.from, to: sides.to, copied: summary.copied, skipped: summary.skipped, ignored: summary.ignored, bytes: summary.bytes, kept: summary.kept };
}
