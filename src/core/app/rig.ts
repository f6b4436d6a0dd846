import type { ErrorInfo } from '../../shared/errors.js';
import type { SavedImage, ScannedInstance, Snapshot, WorkstationSpec } from '../../shared/workstation.js';
import type { CloudRigError } from '../errors.js';
import type { HomeChange } from '../home-changes.js';
import { hourlyRateOf, type HourlyRate } from '../price-catalog.js';
import type { Clock } from '../ports.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { CostUseCases } from './cost.js';
import { FleetWatch } from './fleet-watch.js';
import { askWatchdog } from './keep-up.js';
import type { IdleStatus } from '../idle-watchdog.js';
import { listImages, removeImage, scanAccount, startWorkstation, stopWorkstation, terminateWorkstation, type RunOptions } from './lifecycle.js';
import { removalPlan, removeWorkstation, type Removal, type RemovalChoices, type RemovalPlan } from './remove-workstation.js';
import { planResize, resizeWorkstation, type ResizePlan, type ResizeResult } from './resize.js';
import { archiveWorkstation, planArchive, type ArchivePlan, type ArchiveResult } from './archive.js';
import { recordArchive } from '../archived-image.js';
import { AccountUseCases } from './rig-account.js';
import { AppUseCases } from './rig-app.js';
import { ConnectUseCases } from './rig-connect.js';
import { SshConfigUseCases } from './rig-ssh-config.js';
import { followWorkstationSetup, type FollowMode, type SetupOutcome } from './setup-script.js';
import { snoozeWorkstation, type Snoozed } from './snooze.js';
import { chooseWorkstation, knownWorkstation, rememberUse, type WorkstationChoice } from './workstation-choice.js';
import { setUpWorkstation, type SetUpResult, type SpecRequest } from './workstation-setup.js';

/**
 * The use cases, as both faces call them: the CLI's commands and the tray app's IPC handlers call
 * this and nothing else of core. It is built by the composition root from the wired core and never
 * hands out the service, the adapters or the stores: each method is one thing a user asks for.
 */
export class Rig {
  /** Reaching the running workstation: shells, sessions, files. */
  readonly connect: ConnectUseCases;
  /** The AWS account: checks, quota, GPU offers, billed resources. */
  readonly account: AccountUseCases;
  /** CloudRig's ssh config and the user's Include line. */
  readonly sshConfig: SshConfigUseCases;
  /** What only the tray app asks for: its settings screen, switcher, Change type… lists, Archive now. */
  readonly app: AppUseCases;
  /** Money: the cost report and spend chart, each workstation's cost now, the meter. */
  readonly cost: CostUseCases;

  constructor(private readonly core: CloudRigCore) {
    this.connect = new ConnectUseCases(core);
    this.account = new AccountUseCases(core);
    this.sshConfig = new SshConfigUseCases(core);
    this.app = new AppUseCases(core);
    this.cost = new CostUseCases(core);
  }

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

  /** The box's watchdog's view of a ready workstation (idle since, kept up by), or null when it cannot say. */
  watchdog(snapshot: Snapshot): Promise<IdleStatus | null> {
    return askWatchdog(this.core, snapshot);
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

  planArchive(name: string | undefined): Promise<ArchivePlan> {
    return planArchive(this.core, name);
  }

  archive(plan: ArchivePlan, options: RunOptions = {}): Promise<ArchiveResult> {
    return archiveWorkstation(this.core, plan, options);
  }

  /** Forgets the workstation's archive image (one that is gone): the next launch uses its own image. */
  forgetArchive(name: string): void {
    recordArchive(this.core.settings, name, null);
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

  // ── Cost ──────────────────────────────────────────────────────────────────────────────────

  /** The hourly rate of a type (on-demand or spot), live or from the bundled table. */
  hourlyRate(spec: { readonly region: string; readonly instanceType: string; readonly spot: boolean }): Promise<HourlyRate | null> {
    return hourlyRateOf(this.core.prices, { ...spec, availabilityZone: null });
  }

  /** Keeps a workstation awake (and the reminders quiet) for `hours`. */
  snooze(options: Parameters<typeof snoozeWorkstation>[1]): Promise<Snoozed> {
    return snoozeWorkstation(this.core, options);
  }

  // ── A running app ─────────────────────────────────────────────────────────────────────────

  /** Tells a running tray app what a command changes, as it changes it. */
  announce(change: Omit<HomeChange, 'id' | 'pid' | 'at'>): Promise<void> {
    return this.core.changes.announce(change);
  }
}

/**
 * The wired core behind a façade, for the application layer's own long-running loops (app-loops.ts)
 * and nothing else: neither face module (face.ts, app-face.ts) exports it.
 */
export function coreOf(rig: Rig): CloudRigCore {
  return rig['core'];
}
