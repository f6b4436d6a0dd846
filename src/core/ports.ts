import type {
  ErrorInfo,
  HostKeyTrust,
  ImageSource,
  InstanceFacts,
  SavedImage,
  ScannedInstance,
  WorkstationSpec,
} from '../shared/workstation.js';
import type { Settings } from '../shared/settings.js';

/** Time, so that policies and waits can run on a fake clock in tests. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without error) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Tags CloudRig puts on everything it creates. */
export const TAG_WORKSTATION = 'cloudrig:workstation';
export const TAG_MANAGED = 'cloudrig:managed';
/** On an image: the instance it was saved from, so a rerun of `down --save-image` finds it. */
export const TAG_SOURCE_INSTANCE = 'cloudrig:source-instance';

/** What RunInstances needs, decided by core. */
export interface LaunchRequest {
  readonly workstation: string;
  readonly clientToken: string;
  readonly imageId: string;
  readonly rootDeviceName: string;
  readonly instanceType: string;
  readonly keyName: string;
  readonly securityGroupId: string;
  readonly diskGiB: number;
  readonly spot: boolean;
  readonly userData: string | null;
}

/** A resolved image: where it came from and what its root disk needs. */
export interface ResolvedImage {
  readonly imageId: string;
  readonly rootDeviceName: string;
  readonly minDiskGiB: number;
  readonly source: 'ami' | 'saved' | 'parameter';
}

/** EC2 (and SSM for image parameters) in one region. */
export interface CloudGateway {
  readonly region: string;
  /** Every instance tagged for the workstation that is not terminated, oldest launch first. */
  findWorkstationInstances(workstation: string): Promise<InstanceFacts[]>;
  /**
   * The same for several workstations of this region in ONE DescribeInstances (a tag filter over
   * their names): the fleet watch's poll. Every name asked is a key, with [] when it has none.
   */
  findFleetInstances(workstations: readonly string[]): Promise<ReadonlyMap<string, InstanceFacts[]>>;
  describeInstance(instanceId: string): Promise<InstanceFacts | null>;
  keyPairExists(keyName: string): Promise<boolean>;
  /** The key pair with its public key (OpenSSH format; null when AWS does not say), or null when there is none. */
  keyPair(keyName: string): Promise<{ readonly publicKey: string | null } | null>;
  createKeyPair(keyName: string, workstation: string): Promise<{ privateKeyPem: string }>;
  importKeyPair(keyName: string, publicKey: string, workstation: string): Promise<void>;
  deleteKeyPair(keyName: string): Promise<void>;
  /**
   * Deletes the workstation's security group; false when there is none (already deleted). EC2 keeps
   * a group in use for a while after the instance that used it ended: that refusal is retried.
   */
  deleteSecurityGroup(workstation: string): Promise<boolean>;
  /**
   * Creates the group when missing; makes tcp/port admit `cidr` and revokes CloudRig's rules for
   * other ranges on it (rules the user added are left alone).
   */
  ensureSecurityGroup(workstation: string, cidr: string, port: number): Promise<{ groupId: string; created: boolean }>;
  /** The workstation's security group and the IPv4 ranges it admits on tcp/port; null when there is no group. */
  ingressRules(workstation: string, port: number): Promise<{ groupId: string; rules: IngressRule[] } | null>;
  /** Admits `cidr` on tcp/port, described as CloudRig's rule. */
  admitIngress(groupId: string, cidr: string, port: number): Promise<void>;
  /** Revokes these IPv4 ranges on tcp/port. */
  revokeIngress(groupId: string, cidrs: readonly string[], port: number): Promise<void>;
  resolveImage(source: ImageSource, workstation: string, preferSaved: boolean): Promise<ResolvedImage>;
  /**
   * Launches one instance. On InsufficientInstanceCapacity tries each other availability zone
   * of the default VPC before failing.
   */
  runInstance(request: LaunchRequest, onZoneTried?: (zone: string, outcome: string) => void): Promise<InstanceFacts>;
  startInstance(instanceId: string): Promise<void>;
  stopInstance(instanceId: string): Promise<void>;
  /** Cancels the instance's spot request (if any) first, so a persistent request does not relaunch it. */
  terminateInstance(instanceId: string): Promise<void>;
  /** Creates an image tagged with its source instance (TAG_SOURCE_INSTANCE). */
  createImage(instanceId: string, name: string, workstation: string): Promise<string>;
  /** The workstation's image saved from `instanceId` that is pending or available, if any. */
  findImageFrom(workstation: string, instanceId: string): Promise<SavedImage | null>;
  /** Tags the image's snapshots as the workstation's (idempotent). */
  tagImageSnapshots(imageId: string, workstation: string): Promise<void>;
  describeImage(imageId: string): Promise<SavedImage | null>;
  /** Each snapshot's state (DescribeSnapshots: pending, completed, error); a snapshot that is gone is left out. */
  snapshotStates(snapshotIds: readonly string[]): Promise<ReadonlyArray<{ readonly snapshotId: string; readonly state: string }>>;
  listImages(workstation: string): Promise<SavedImage[]>;
  deleteImage(imageId: string): Promise<void>;
  /** What the region says of an instance type (DescribeInstanceTypes); null when the region does not offer it. */
  describeInstanceType(instanceType: string): Promise<InstanceTypeFacts | null>;
  /** An image's architecture, name and description (DescribeImages); null when it is gone. */
  imageFacts(imageId: string): Promise<ImageFacts | null>;
  /** Changes a stopped instance's type (ModifyInstanceAttribute); its disk and id are kept. */
  modifyInstanceType(instanceId: string, instanceType: string): Promise<void>;
  /** The instance types an availability zone of this region offers (a stopped instance's disk stays in its zone). */
  instanceTypesInZone(availabilityZone: string): Promise<ReadonlySet<string>>;
}

/** An instance type's hardware as one region describes it. */
export interface InstanceTypeFacts {
  readonly instanceType: string;
  /** The CPU architectures it runs (`x86_64`, `arm64`, …). */
  readonly architectures: readonly string[];
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** `NVIDIA T4`; null without a GPU. */
  readonly gpuModel: string | null;
  /** `NVIDIA`, `AMD`; null without a GPU. */
  readonly gpuMaker: string | null;
  readonly gpuCount: number;
}

/** What an image says of itself: enough to tell whether a type can boot it and whether it carries a GPU driver. */
export interface ImageFacts {
  readonly imageId: string;
  readonly architecture: string | null;
  readonly name: string | null;
  readonly description: string | null;
}

/** One IPv4 range a security group admits on a port, with the rule's description (CloudRig's rules carry one). */
export interface IngressRule {
  readonly cidr: string;
  readonly description: string | null;
}

/** Makes gateways per region and scans every region. */
export interface Cloud {
  gateway(region: string): CloudGateway;
  scan(): Promise<ScannedInstance[]>;
  /**
   * Closes the clients no request is using now (a scan of every region leaves one per region);
   * the next call makes its region's client again. A client a caller still holds keeps working.
   */
  forgetIdleClients(): void;
}

/** Private keys on local disk. */
export interface KeyStore {
  read(keyName: string): Promise<string | null>;
  /** Writes atomically with mode 0600; returns the path. */
  write(keyName: string, privateKeyPem: string): Promise<string>;
  /** Generates a new ed25519 key pair locally, saves the private key (0600), returns the public key. */
  create(keyName: string): Promise<string>;
  pathOf(keyName: string): string;
  /** What keeps ssh from using the private key file (missing, readable by others), or null when it can. */
  fileProblem(keyName: string, workstation: string): Promise<ErrorInfo | null>;
  publicKeyOf(privateKeyPem: string): Promise<string>;
  /** Per-workstation known_hosts file (its directory is created 0700), reset when a new instance is launched. */
  knownHostsPathOf(workstation: string): string;
  forgetHostKeys(workstation: string): Promise<void>;
  /** Deletes a private key (nothing when it is already gone). */
  remove(keyName: string): Promise<void>;
  /**
   * Pins the host keys of a workstation's instance, replacing any earlier pin. `verified` when the
   * keys came from the instance itself (e.g. cloud-init output) rather than from a first connection.
   */
  pinHostKeys(workstation: string, pin: HostKeyPin): Promise<void>;
}

/** The settings file. */
export interface SettingsStore {
  read(): Settings;
  /** Applies `change` to the settings as they are when it runs (another process may have written since the last read). */
  update(change: (settings: Settings) => Settings): Settings;
  saveWorkstation(spec: WorkstationSpec): void;
  /** The paths (`workstations.gpu.note`) of fields in the file CloudRig does not know; they are kept as they are. */
  unknownFields(): readonly string[];
}

/** A launch in flight: the ClientToken is saved before RunInstances so a rerun reuses it. */
export interface LaunchRecord {
  readonly clientToken: string;
  readonly requestedAt: number;
  readonly instanceId: string | null;
}

/** Local cache of launches and runs; never the source of truth (AWS tags are). */
export interface LaunchLedger {
  get(workstation: string): Promise<LaunchRecord | null>;
  put(workstation: string, record: LaunchRecord): Promise<void>;
  clear(workstation: string): Promise<void>;
}

/** A setup script that did not succeed on one instance of a workstation. */
export interface SetupFailureRecord {
  readonly instanceId: string;
  readonly failure: ErrorInfo;
}

/** Where the last setup failure of each workstation is kept, so another process (the next `rig`, the app) still knows. */
export interface SetupFailures {
  get(workstation: string): Promise<SetupFailureRecord | null>;
  /** Records a failure, or (null) forgets it: the setup succeeded or a fresh instance runs. */
  put(workstation: string, record: SetupFailureRecord | null): Promise<void>;
}

/**
 * Cross-process lock in the home so two processes do not both launch. The signal aborts when the
 * lock is lost (it could not be refreshed, or another process took it): the holder must stop.
 */
export interface Locks {
  /**
   * `wait: false` refuses at once (a `Busy` error) when another process holds the lock; else
   * `onWait` is called once, before waiting, when another process holds it (so a user is told).
   */
  withLock<T>(key: string, work: (signal: AbortSignal) => Promise<T>, options?: { readonly wait?: boolean; readonly onWait?: () => void }): Promise<T>;
}

/** Host keys to pin for one address of one instance. */
export interface HostKeyPin {
  /** The address the keys are pinned for; `*` for any address (a key seeded into the instance). */
  readonly host: string;
  readonly port: number;
  /** OpenSSH public keys, `ssh-ed25519 AAAA…` (a trailing comment is ignored). */
  readonly keys: readonly string[];
  /** The instance the keys belong to; a pin for another instance is replaced, not enforced. */
  readonly instanceId: string | null;
  readonly trust: HostKeyTrust;
}

/** Where and how to reach the workstation over ssh. */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly keyPath: string;
  readonly knownHostsPath: string;
  /** Named in errors (a changed host key, a broken private key). */
  readonly workstation?: string;
  /** The instance behind the address: its host key is pinned per instance. */
  readonly instanceId?: string | null;
  /**
   * The ClientToken EC2 reports for the instance's launch: the host key a CloudRig launch seeded is
   * derived from it and the workstation's private key, so a pin of another instance can be replaced
   * by a verified one without asking the laptop that launched it.
   */
  readonly launchToken?: string | null;
}

/**
 * Result of one readiness probe. `problem` is set when waiting will not help (a changed host key,
 * a private key that is missing or readable by others): the user has to act.
 */
export type ProbeResult =
  | { readonly ok: true; readonly hostKey?: HostKeyTrust }
  | { readonly ok: false; readonly reason: string; readonly problem?: ErrorInfo };

/** Checks that ssh answers and accepts the key; runs commands. Both check the pinned host key. */
export interface SshClient {
  /** Never rejects: every failure is a result. */
  probe(target: SshTarget, timeoutMs: number): Promise<ProbeResult>;
  /** Runs `command`; `timeoutMs` bounds the whole run (connect and command), after which it rejects. */
  exec(target: SshTarget, command: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Finds the caller's public IPv4. */
export interface PublicIp {
  lookup(): Promise<string>;
}

/** Random ids (ClientToken), injectable for tests. */
export type IdSource = () => string;
