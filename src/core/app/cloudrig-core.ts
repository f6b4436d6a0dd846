import type { QuotaRequestResult } from '../../shared/views.js';
import type { AccessKeys } from '../../shared/contract.js';
import type { CostTracker } from '../cost-tracker.js';
import type { ReminderStore } from '../cost-watch.js';
import type { AccountProbe } from '../first-run-checks.js';
import type { GpuOffer } from '../gpu-catalog.js';
import type { HomeChanges } from '../home-changes.js';
import type { PriceCatalog } from '../price-catalog.js';
import type { Clock, Cloud, KeyStore, Locks, PublicIp, SettingsStore, SshClient } from '../ports.js';
import type { WorkstationService } from '../workstation-service.js';
import type { ForgottenStore } from './forgotten-watch.js';
import type { AccountInventory } from '../account-inventory.js';
import type { RemoteAccess } from './remote-access.js';
import type { InstanceTypeOption } from '../../shared/views.js';
import type { Snapshot } from '../../shared/workstation.js';
import type { GpuOfferProblem } from '../../shared/gpu-offers.js';

/** A GPU instance type as the picker lists it, before its price is known. */
export type GpuInstanceType = Omit<InstanceTypeOption, 'hourlyUsd'>;

/** GPU offers of some regions, and the regions that could not be asked. */
export interface GpuOfferList {
  readonly offers: readonly GpuOffer[];
  readonly skipped: readonly { readonly region: string; readonly message: string }[];
  /** What could not be read live (prices, quotas), with its fix; the offers still show, labelled. */
  readonly problems?: readonly GpuOfferProblem[];
}

/** The account as the use cases ask it: checks, quota requests, GPU types and offers (the composition binds the credentials). */
export interface AccountPort {
  /** The account facts the checks read (STS asked in `region`); loaded on first use. */
  probe(region: string): Promise<AccountProbe>;
  requestQuota(region: string, quotaCode: string, desired: number): Promise<QuotaRequestResult>;
  gpuTypes(region: string): Promise<GpuInstanceType[]>;
  gpuOffers(regions: readonly string[], gpu: string | null): Promise<GpuOfferList>;
  /** The regions the account may use. */
  enabledRegions(): Promise<string[]>;
  /** Profile names from ~/.aws/config and ~/.aws/credentials. */
  profiles(): Promise<string[]>;
  /** The region the SDK uses when none is given (AWS_REGION, else the profile's), or null. */
  defaultRegion(): Promise<DefaultRegion | null>;
}

/** A region the user configured for the AWS SDK, and where (for saying which one was used). */
export interface DefaultRegion {
  readonly region: string;
  /** `AWS_REGION`, or `profile NAME in FILE`. */
  readonly source: string;
}

/** Whether (and how) the user's ssh config includes CloudRig's. */
export interface SshConfigStatus {
  readonly installed: boolean;
  readonly userConfigPath: string;
  readonly ownConfigPath: string;
  /** The exact line CloudRig adds. */
  readonly line: string;
  /** Where the user's file points when it is a symlink. */
  readonly symlinkTarget: string | null;
}

/** What an install or remove of the Include line did. */
export interface SshConfigChange extends SshConfigStatus {
  readonly changed: boolean;
  readonly created: boolean;
  readonly backupPath: string | null;
}

/** CloudRig's ssh config file and the one Include line in the user's. */
export interface SshConfigPort {
  noteSnapshot(snapshot: Snapshot): void;
  /** Resolves when the background rewrites queued so far are done. */
  settled(): Promise<void>;
  /** Rewrites CloudRig's file from the snapshots seen; returns its text. */
  sync(): Promise<string>;
  status(): Promise<SshConfigStatus>;
  install(): Promise<SshConfigChange>;
  remove(): Promise<SshConfigChange>;
}

/** Runs callbacks later; core's way to time things without the host's timers. */
export interface Scheduler {
  /** Calls `work` every `ms` until the returned function is called. */
  every(ms: number, work: () => void): () => void;
  /** Calls `work` once after `ms` unless the returned function is called first. */
  after(ms: number, work: () => void): () => void;
}

/**
 * What the composition root returns: the core, wired to real systems, as both faces see it.
 * `src/adapters/compose.ts` implements it; `src/main` and `src/cli` use nothing else of the adapters.
 */
export interface CloudRigCore {
  /** The CloudRig home (settings, keys, state). */
  readonly home: string;
  readonly service: WorkstationService;
  /** The AWS side by region (gateways, the all-region scan), for the watches that ask for many workstations at once. */
  readonly cloud: Cloud;
  readonly settings: SettingsStore;
  readonly keys: KeyStore;
  /** The per-workstation launch lock `up` takes: whatever changes what AWS holds for a workstation takes it too. */
  readonly locks: Locks;
  readonly ssh: SshClient;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly prices: PriceCatalog;
  readonly costs: CostTracker;
  readonly sshConfig: SshConfigPort;
  readonly changes: HomeChanges;
  /** The app's reminder state (`<home>/state/reminders.json`), shared with `rig snooze`. */
  readonly reminders: ReminderStore;
  readonly account: AccountPort;
  /** This machine's public IPv4 (what a security group must admit). */
  readonly publicIp: PublicIp;
  /** The file `rig snooze` and Snooze write on the instance, when not the watchdog's default. */
  readonly keepAliveFile: string | null;
  /** Kept-alive ssh sessions for tunnels, file copies and stats. */
  readonly remote: RemoteAccess;
  /** What the forgotten-instance watch reported and what the user dismissed (`<home>/state/forgotten.json`). */
  readonly forgotten: ForgottenStore;
  /** Every billed resource of the account by region, and the removal of CloudRig's leftovers (`rig scan --all`, `rig clean`). */
  readonly inventory: AccountInventory;
}

/** What a composition is built from. */
export interface CoreOptions {
  readonly home: string;
  /** Overrides the settings' profile (the CLI's --profile). */
  readonly profile?: string | null;
  /** The environment as the entry point read it (endpoints, keys, CLOUDRIG_* overrides). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Keys typed into the app, decrypted in memory only. */
  readonly credentials?: AccessKeys | null;
  readonly clock?: Clock;
  readonly maxAttempts?: number;
  /** The ssh client, when the caller already started a probe with it (`rig status` does, while it loads). */
  readonly ssh?: SshClient;
}

/** Builds the core; the app calls it again when the profile or keys change. */
export type CoreFactory = (options: CoreOptions) => CloudRigCore;
