// What the workstation lifecycle's parts share: the ports the service is built with, the options of
// its long operations, and the narrow view of the service (its fleet, how it observes and publishes)
// that the launch, teardown, wait and probe paths act through.
import type { InstanceFacts, Phase, Snapshot, Step, WorkstationSpec } from '../shared/workstation.js';
import type { CloudRigError } from './errors.js';
import type { HostKeyMaker, SeededHostKey } from './host-keys.js';
import type {
  Clock,
  Cloud,
  IdSource,
  KeyStore,
  LaunchLedger,
  Locks,
  PublicIp,
  SettingsStore,
  SetupFailures,
  SshClient,
  SshTarget,
} from './ports.js';
import type { AcceptedRuns } from './ssh-readiness.js';
import type { Fleet } from './workstation.js';

/** Everything the service needs from the outside world. */
export interface WorkstationServiceDeps {
  readonly cloud: Cloud;
  readonly keys: KeyStore;
  readonly settings: SettingsStore;
  readonly ledger: LaunchLedger;
  readonly locks: Locks;
  readonly ssh: SshClient;
  readonly publicIp: PublicIp;
  readonly clock: Clock;
  readonly newId: IdSource;
  /** User data for a launch (the seeded host key, the idle watchdog, the setup script); null for none. */
  readonly userDataFor?: (spec: WorkstationSpec, launch?: { readonly hostKey?: SeededHostKey | null }) => string | null;
  /** Throws (a CloudRigError with a fix) when the spec being saved has a setup script its launch's user data could not carry. */
  readonly refuseSetupScriptThatCannotFit?: (spec: WorkstationSpec) => void;
  /** Makes the host key seeded into each launch (pinned before the first connection); without it, keys are taken on first use. */
  readonly hostKeys?: HostKeyMaker;
  /** Where the target of each run whose key was accepted is recorded, for a probe started early by the next process. */
  readonly acceptedRuns?: AcceptedRuns;
  /** Where a failed setup script is remembered across processes; without it, only this process remembers. */
  readonly setupFailures?: SetupFailures;
}

/** Options common to long operations. */
export interface OperationOptions {
  /** Called as each step starts. */
  readonly onStep?: (step: Step) => void;
  readonly signal?: AbortSignal;
}

export interface UpOptions extends OperationOptions {
  readonly waitSsh?: boolean;
  readonly timeoutMs?: number;
}

export interface DownOptions extends OperationOptions {
  readonly saveImage?: boolean;
  readonly timeoutMs?: number;
  /** With `saveImage`: runs once the image is available and before anything is terminated (an archive verifies and records it here). */
  readonly beforeTerminate?: (imageId: string, instance: InstanceFacts) => Promise<void>;
}

export const DEFAULT_UP_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_IMAGE_TIMEOUT_MS = 60 * 60_000;

/** The key pair and security group name for a workstation. */
export function resourceName(workstation: string): string {
  return `cloudrig-${workstation}`;
}

/** What the lifecycle paths use of the service: its ports, its fleet, and how it observes and publishes. */
export interface Lifecycle {
  readonly deps: WorkstationServiceDeps;
  readonly fleet: Fleet;
  /** The workstation's saved spec as it is now (read again under the lock). */
  spec(name: string): WorkstationSpec;
  /** Asks AWS (and ssh) for the workstation's state and publishes it. */
  refresh(name: string): Promise<Snapshot>;
  /** Publishes the snapshot of `instance` as the workstation's state shows it. */
  publish(spec: WorkstationSpec, instance: InstanceFacts | null, error: Snapshot['error']): Snapshot;
  /** Sets (or, with null, ends) the operation phase, announces `step`, and publishes. */
  setOperation(spec: WorkstationSpec, phase: Phase | null, step: Step | null, options: OperationOptions): void;
  /** How long to wait before the next refresh of this workstation. */
  nextDelay(snapshot: Snapshot): number;
  /** The ssh target of `instance`, or null when it has none. */
  target(spec: WorkstationSpec, instance: InstanceFacts | null): SshTarget | null;
  /** The error of a failed operation, naming the instance still billed (if any) and how to stop it. */
  failureSayingWhatIsBilled(spec: WorkstationSpec, error: unknown, note?: string): Promise<CloudRigError>;
}
