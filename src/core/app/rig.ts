import type { ErrorInfo } from '../../shared/errors.js';
import type { CheckReport, QuotaRequestResult } from '../../shared/views.js';
import type { SavedImage, ScannedInstance, Snapshot, WorkstationSpec } from '../../shared/workstation.js';
import type { AccountScan, CleanPlan } from '../account-inventory.js';
import type { CloudRigError } from '../errors.js';
import type { HomeChange } from '../home-changes.js';
import type { HourlyRate } from '../price-catalog.js';
import { hourlyRateOf } from '../price-catalog.js';
import type { Clock, SshTarget } from '../ports.js';
import type { SkyPilotTask } from '../skypilot-task.js';
import type { DriftReport } from './address-drift.js';
import { listGpuOffers, requestQuota } from './account.js';
import { planClean, removeLeftovers, scanEverything, type CleanPlans, type RemovalResult } from './account-sweep.js';
import type { CloudRigCore, DefaultRegion, GpuOfferList, SshConfigChange, SshConfigStatus } from './cloudrig-core.js';
import { openWorkstationSession, remoteFolderOfRunning, requireSshConfigIncluded } from './connect.js';
import { costReport, workstationCost } from './cost.js';
import { runDoctor, type DoctorRequest } from './doctor.js';
import { FleetWatch } from './fleet-watch.js';
import { listImages, removeImage, scanAccount, startWorkstation, stopWorkstation, terminateWorkstation, type RunOptions } from './lifecycle.js';
import type { ChangeWatcher, FileTree } from './files.js';
import type { RemoteSession } from './remote-access.js';
import { removalPlan, removeWorkstation, type Removal, type RemovalChoices, type RemovalPlan } from './remove-workstation.js';
import { planResize, resizeWorkstation, type ResizePlan, type ResizeResult } from './resize.js';
import { followWorkstationSetup, type FollowMode, type SetupOutcome } from './setup-script.js';
import { exportSkyPilot } from './skypilot-export.js';
import { snoozeWorkstation, type Snoozed } from './snooze.js';
import { chooseWorkstation, knownWorkstation, rememberUse, type WorkstationChoice } from './workstation-choice.js';
import { setUpWorkstation, type SetUpResult, type SpecRequest } from './workstation-setup.js';

/**
 * The use cases, as both faces call them: the CLI's commands and the tray app's IPC handlers call
 * this and nothing else of core. It is built by the composition root from the wired core and never
 * hands out the service, the adapters or the stores: each method is one thing a user asks for.
 */
export class Rig {
  constructor(private readonly core: CloudRigCore) {}

  /** The CloudRig home (settings, keys, state) this façade works in. */
  get home(): string {
    return this.core.home;
  }

  /** The clock the use cases run on (a face times its own waits with it). */
  get clock(): Clock {
    return this.core.clock;
  }

  // ── Workstations and their state ──────────────────────────────────────────────────────────

  /** The saved workstations' names. */
  names(): readonly string[] {
    return this.core.service.names();
  }

  /** A saved workstation's settings (the only one when no name is given). */
  spec(name?: string): WorkstationSpec {
    return this.core.service.spec(name);
  }

  /** The settings' current workstation (the last one a command named), or null. */
  currentName(): string | null {
    return this.core.settings.read().current ?? null;
  }

  /** Whether the user's ssh config includes CloudRig's (so `ssh NAME` works). */
  sshConfigInstalled(): boolean {
    return this.core.settings.read().sshConfigInstalled === true;
  }

  /** Settings fields this version does not know (kept, but they do nothing). */
  unknownSettingsFields(): readonly string[] {
    return this.core.settings.unknownFields();
  }

  /** The last snapshot of a workstation seen by this process, if any. */
  cached(name: string): Snapshot | undefined {
    return this.core.service.cached(name);
  }

  /** Calls `listener` with every new snapshot; returns the unsubscribe. */
  onDidChange(listener: (snapshot: Snapshot) => void): () => void {
    return this.core.service.onDidChange(listener);
  }

  /** Asks AWS for a workstation's instance now (and ssh, when asked). */
  refresh(name?: string, options: { probeSsh?: boolean; force?: boolean } = {}): Promise<Snapshot> {
    return this.core.service.refresh(name, options);
  }

  /** Whether ssh answers on the described instance: the snapshot with the answer. */
  probeReady(name: string): Promise<Snapshot> {
    return this.core.service.probeReady(name);
  }

  /** Every saved workstation described at once (one DescribeInstances per region), ssh not probed. */
  async describeAll(): Promise<readonly Snapshot[]> {
    const fleet = new FleetWatch({ service: this.core.service, cloud: this.core.cloud, clock: this.core.clock });
    return (await fleet.poll({ probeSsh: false })).snapshots;
  }

  /** Which workstation a command without a name acts on, and by which rule. */
  choose(name: string | undefined): Promise<WorkstationChoice> {
    return chooseWorkstation(this.core, name);
  }

  /** Refuses an unknown name, listing the known ones. */
  known(name: string): Promise<void> {
    return knownWorkstation(this.core, name);
  }

  /** Records `name` as the last one used (the rule for commands without a name). */
  rememberUse(name: string): void {
    rememberUse(this.core, name);
  }

  // ── Lifecycle ─────────────────────────────────────────────────────────────────────────────

  /** Creates or edits a workstation: key pair, security group, settings. */
  setUp(request: SpecRequest, options: { readonly editing?: string | null; readonly newKey?: boolean; readonly onStep?: RunOptions['onStep'] } = {}): Promise<SetUpResult> {
    return setUpWorkstation(this.core, request, options);
  }

  /** Starts the instance (launching one when there is none), and waits for ssh unless told not to. */
  up(name: string | undefined, options: RunOptions & { readonly waitSsh?: boolean; readonly timeoutMs?: number } = {}): Promise<Snapshot> {
    return startWorkstation(this.core, name, options);
  }

  stop(name: string | undefined, options: RunOptions = {}): Promise<Snapshot> {
    return stopWorkstation(this.core, name, options);
  }

  /** Terminates, saving an image first when asked. */
  down(name: string | undefined, options: RunOptions & { readonly saveImage: boolean }): Promise<{ snapshot: Snapshot; imageId: string | null }> {
    return terminateWorkstation(this.core, name, options);
  }

  images(name?: string): Promise<SavedImage[]> {
    return listImages(this.core, name);
  }

  removeImage(name: string | undefined, imageId: string): Promise<void> {
    return removeImage(this.core, name, imageId);
  }

  /** Pending, running and stopped instances in every enabled region. */
  scanInstances(): Promise<ScannedInstance[]> {
    return scanAccount(this.core);
  }

  /** What removing a workstation would take (its instance, its images). */
  removalPlan(name: string): Promise<RemovalPlan> {
    return removalPlan(this.core, name);
  }

  remove(name: string, choices: RemovalChoices): Promise<Removal> {
    return removeWorkstation(this.core, name, choices);
  }

  planResize(name: string | undefined, instanceType: string, options: { readonly skipDriverCheck?: boolean } = {}): Promise<ResizePlan> {
    return planResize(this.core, name, instanceType, options);
  }

  resize(plan: ResizePlan, options: RunOptions = {}): Promise<ResizeResult> {
    return resizeWorkstation(this.core, plan, options);
  }

  /** The error to show for a failure after a launch: it says what is billed and how to stop it. */
  failureSayingWhatIsBilled(name: string, error: unknown, note = ''): Promise<CloudRigError> {
    return this.core.service.failureSayingWhatIsBilled(this.core.service.spec(name), error, note);
  }

  // ── Setup script ──────────────────────────────────────────────────────────────────────────

  /** Follows the setup script's log on a ready instance (null when there is nothing to follow). */
  followSetup(snapshot: Snapshot, options: Parameters<typeof followWorkstationSetup>[2]): Promise<{ readonly mode: FollowMode; readonly outcome: SetupOutcome } | null> {
    return followWorkstationSetup(this.core, snapshot, options);
  }

  /** Remembers how the setup script of `instanceId` ended (the next status and `up` say so). */
  noteSetupOutcome(name: string, instanceId: string, failure: ErrorInfo | null): Promise<void> {
    return this.core.service.noteSetupOutcome(name, instanceId, failure);
  }

  // ── Connecting ────────────────────────────────────────────────────────────────────────────

  /**
   * What opening a shell needs, for both faces: the laptop's address re-admitted first when it moved
   * (a failure to check is reported, not fatal), then the running instance's ssh target.
   */
  async openShell(name: string): Promise<{ readonly target: SshTarget; readonly drift: Pick<DriftReport, 'changed' | 'message'> }> {
    const drift: Pick<DriftReport, 'changed' | 'message'> = await this.core.service.followAddressDrift(name)
      .catch((error: unknown) => ({ changed: true, message: `Could not check the security group: ${errorMessage(error)}` }));
    const target = await this.core.service.sshTarget(name);
    return { target, drift };
  }

  /** The running instance's ssh target. */
  sshTarget(name: string): Promise<SshTarget> {
    return this.core.service.sshTarget(name);
  }

  /** A kept-alive ssh session to the running workstation (tunnels, files, stats). */
  openSession(name: string | undefined): Promise<RemoteSession> {
    return openWorkstationSession(this.core, name);
  }

  /** A local folder or file as a tree to copy from or into. */
  localTree(path: string): FileTree {
    return this.core.remote.localTree(path);
  }

  /** A path on the workstation, relative to the login user's home unless absolute. */
  remoteRoot(path: string): string {
    return this.core.remote.remoteRoot(path);
  }

  /** Watches a local folder (or file) for changes, for `push --watch`. */
  watchLocal(path: string, isFile: boolean): ChangeWatcher {
    return this.core.remote.watchLocal(path, isFile);
  }

  /** The workstation, once its ssh config is included (for VS Code over Remote-SSH). */
  requireSshConfigIncluded(name: string | undefined): Promise<WorkstationSpec> {
    return requireSshConfigIncluded(this.core, name);
  }

  /** A folder on the running workstation (its home by default), checked to exist. */
  remoteFolderOfRunning(spec: WorkstationSpec, path?: string): Promise<string> {
    return remoteFolderOfRunning(this.core, spec, path);
  }

  // ── Cost ──────────────────────────────────────────────────────────────────────────────────

  /** The month's spend, its projection, the budget warning and the spend chart. */
  costReport(): ReturnType<typeof costReport> {
    return costReport(this.core);
  }

  /** What a workstation costs now (rate, session, storage, idle stop). */
  workstationCost(snapshot: Snapshot): ReturnType<typeof workstationCost> {
    return workstationCost(this.core, snapshot);
  }

  /** The hourly rate of a type (on-demand or spot), live or from the bundled table. */
  hourlyRate(spec: { readonly region: string; readonly instanceType: string; readonly spot: boolean }): Promise<HourlyRate | null> {
    return hourlyRateOf(this.core.prices, { ...spec, availabilityZone: null });
  }

  /** Keeps a workstation awake (and the reminders quiet) for `hours`. */
  snooze(options: Parameters<typeof snoozeWorkstation>[1]): Promise<Snoozed> {
    return snoozeWorkstation(this.core, options);
  }

  // ── The account ───────────────────────────────────────────────────────────────────────────

  doctor(request: DoctorRequest): Promise<CheckReport> {
    return runDoctor(this.core, request);
  }

  requestQuota(request: { readonly region: string; readonly quotaCode: string; readonly desired: number }): Promise<QuotaRequestResult> {
    return requestQuota(this.core, request);
  }

  gpuOffers(regions: readonly string[], gpu: string | null): Promise<GpuOfferList> {
    return listGpuOffers(this.core, regions, gpu);
  }

  enabledRegions(): Promise<string[]> {
    return this.core.account.enabledRegions();
  }

  /** The region the AWS SDK would use (AWS_REGION, the profile's), or null. */
  defaultRegion(): Promise<DefaultRegion | null> {
    return this.core.account.defaultRegion();
  }

  /** Every billed resource of the account, by region. */
  scanAccount(): Promise<AccountScan> {
    return scanEverything(this.core);
  }

  planClean(scan: AccountScan, options: { readonly images: boolean }): CleanPlans {
    return planClean(this.core, scan, options);
  }

  removeLeftovers(plan: CleanPlan, onResult?: (result: RemovalResult) => void): Promise<RemovalResult[]> {
    return removeLeftovers(this.core, plan, onResult);
  }

  exportSkyPilot(name: string, options: { readonly nodes: number; readonly gpus: string | null }): Promise<SkyPilotTask> {
    return exportSkyPilot(this.core, name, options);
  }

  // ── ssh config ────────────────────────────────────────────────────────────────────────────

  /** Rewrites CloudRig's ssh config from every workstation as AWS describes it now; returns its text. */
  async refreshSshConfig(): Promise<string> {
    await Promise.all(this.names().map((name) => this.core.service.refresh(name, { probeSsh: false })));
    await this.core.sshConfig.settled();
    return this.core.sshConfig.sync();
  }

  /** Waits until CloudRig's ssh config has caught up with the snapshots seen. */
  sshConfigSettled(): Promise<void> {
    return this.core.sshConfig.settled();
  }

  sshConfigStatus(): Promise<SshConfigStatus> {
    return this.core.sshConfig.status();
  }

  installSshConfig(): Promise<SshConfigChange> {
    return this.core.sshConfig.install();
  }

  removeSshConfig(): Promise<SshConfigChange> {
    return this.core.sshConfig.remove();
  }

  // ── A running app ─────────────────────────────────────────────────────────────────────────

  /** Tells a running tray app what a command changes, as it changes it. */
  announce(change: Omit<HomeChange, 'id' | 'pid' | 'at'>): Promise<void> {
    return this.core.changes.announce(change);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// What a face uses besides the façade's methods: the types of what they return, wording rules of
// the use cases, and the use cases that run over a session the façade opened (tunnels, stats, file
// copies). Faces import these from here, never from the modules behind it.
export type { WorkstationChoice, ChoiceRule } from './workstation-choice.js';
export { choiceReason } from './workstation-choice.js';
export type { DefaultRegion, GpuOfferList, SshConfigChange, SshConfigStatus } from './cloudrig-core.js';
export type { RunOptions } from './lifecycle.js';
export { setupFailure, setupLogPath, setupOutcomeWords, type FollowMode, type SetupOutcome } from './setup-script.js';
export type { RemoteSession } from './remote-access.js';
export { forwardJupyter, remoteFolder, remoteFolderUri } from './connect.js';
export { isTunnelWord, localUrl, openTunnels, parseTunnelSpecs, type OpenTunnel } from './tunnels.js';
export { readStats, STATS_INTERVAL_MS, watchStats, type StatsReading } from './stats.js';
export { isIgnoredIn, syncTree, watchAndSync, type CopyProgress, type FileCopier, type FileTree, type KeptPath, type SyncSummary } from './files.js';
export { uncoveredRemoval, type Removal, type RemovalChoices, type RemovalPlan } from './remove-workstation.js';
export type { ResizePlan, ResizeResult } from './resize.js';
export type { CleanPlans, RemovalResult } from './account-sweep.js';
export type { DoctorRequest } from './doctor.js';
export type { SpecRequest, SetUpResult } from './workstation-setup.js';
