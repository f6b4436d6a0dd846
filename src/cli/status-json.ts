import { duplicatesError, type Rig, type WorkstationCostNow } from '../core/app/face.js';
import type { ErrorCode, Fix } from '../shared/errors.js';
import type { ArchiveRecord, HostKeyTrust, InstanceStateName, Phase, Snapshot } from '../shared/workstation.js';
import { cliFix } from './fix-wording.js';

/** What the cost side adds to a status (`costStatusExtras`): the use case's figures, none when it has none. */
export type StatusCost = Partial<WorkstationCostNow>;

/** Extra status fields from the cost side, filled in by the composition. */
export type StatusExtras = (rig: Rig, snapshot: Snapshot) => Promise<StatusCost>;

/** What the workstation's settings add to a status. */
export interface StatusIngress {
  readonly ingressCidr?: string;
  readonly ingressWarning?: string | null;
  /** The image the workstation was archived to (its next launch starts from it); null when it is not archived. */
  readonly archive?: ArchiveRecord | null;
}

/** One extra live instance of the workstation, each billed. */
export interface StatusDuplicate {
  readonly instanceId: string;
  readonly state: InstanceStateName;
  readonly instanceType: string;
  readonly spot: boolean;
  readonly launchedAt: string | null;
  readonly hourlyUsd: number | null;
}

/** An error in `rig status --json`: the fix worded for a shell, and as data for scripts. */
export interface StatusError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly fix: string;
  readonly remedy: Fix;
}

/** `rig status --json`'s object. */
export interface StatusJson extends StatusCost, StatusIngress {
  readonly name: string;
  readonly region: string;
  readonly instanceId: string | null;
  readonly state: InstanceStateName | 'absent';
  readonly phase: Phase;
  readonly instanceType: string;
  readonly publicIp: string | null;
  readonly publicDns: string | null;
  readonly launchedAt: string | null;
  readonly sshCommand: string | null;
  readonly hostKey: HostKeyTrust | null;
  readonly error: StatusError | null;
  readonly hourlyUsd: number | null;
  readonly duplicates: readonly StatusDuplicate[];
  readonly spotInterrupted: boolean;
  /** The setup script failed on this instance (remembered until a fresh launch); null when not. */
  readonly setupFailure: StatusError | null;
}

/** Builds `rig status --json`'s object from a snapshot and what the cost side and the settings add. */
export function statusJson(snapshot: Snapshot, extra: StatusCost & StatusIngress = {}): StatusJson {
  const i = snapshot.instance;
  const hourlyUsd = typeof extra.hourlyUsd === 'number' ? extra.hourlyUsd : null;
  // A duplicate of the same type and market costs what the workstation's instance costs.
  const duplicates = (snapshot.duplicates ?? []).map((d): StatusDuplicate => ({
    instanceId: d.instanceId, state: d.state, instanceType: d.instanceType, spot: d.spot, launchedAt: d.launchedAt,
    hourlyUsd: i && d.instanceType === i.instanceType && d.spot === i.spot ? hourlyUsd : null,
  }));
  const error = snapshot.error ?? duplicatesError(snapshot);
  return {
    name: snapshot.name,
    region: snapshot.region,
    instanceId: i?.instanceId ?? null,
    state: i?.state ?? 'absent',
    phase: snapshot.phase,
    instanceType: snapshot.instanceType,
    publicIp: i?.publicIp ?? null,
    publicDns: i?.publicDns ?? null,
    launchedAt: i?.launchedAt ?? null,
    sshCommand: snapshot.sshCommand,
    hostKey: snapshot.hostKey ?? null,
    error: error ? { code: error.code, message: error.message, fix: cliFix(error.fix), remedy: error.fix } : null,
    ...extra,
    hourlyUsd,
    duplicates,
    spotInterrupted: snapshot.spotInterrupted === true,
    setupFailure: snapshot.setupFailure
      ? { code: snapshot.setupFailure.code, message: snapshot.setupFailure.message, fix: cliFix(snapshot.setupFailure.fix), remedy: snapshot.setupFailure.fix }
      : null,
  };
}
