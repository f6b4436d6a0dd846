import type { AccessKeys } from '../../shared/contract.js';
import type { GpuOffersQuery, GpuOffersView } from '../../shared/gpu-offers.js';
import type { AppView, CheckReport, InstanceTypeOption, QuotaRequestResult, SettingsView, TunnelView, WorkstationForm } from '../../shared/views.js';
import { CloudRigError } from '../errors.js';
import type { CheckTarget } from '../first-run-checks.js';
import type { QuitPrompt } from '../quit-policy.js';
import type { TrayModel } from '../tray-model.js';
import type { OperationUnderWay } from '../update-menu.js';
import { AppConnect } from './app-connect.js';
import { ConnectActions } from './app-connect-actions.js';
import { AppFleet } from './app-fleet.js';
import { FleetViewModel } from './app-fleet-view.js';
import { SessionNotifications } from './app-notifications.js';
import { OperationActions } from './app-operation-actions.js';
import { AppOperations } from './app-operations.js';
import type { SessionPorts } from './app-session-ports.js';
import { SessionState } from './app-session-state.js';
import { SessionViews } from './app-session-views.js';
import { AppSettings, type SettingsChange } from './app-settings.js';
import type { Monitor } from './monitor.js';
import type { TypeChangeRequest } from './change-type.js';
import type { ResizeChoicesView, ResizeOutcomeView, ResizePlanView, ResizePurpose } from '../../shared/resize-view.js';
import type { PopoverPort } from './shell-ports.js';
import type { StatsReading } from './stats.js';
import { StatsIdleFeed } from './stats-idle-feed.js';

export type { SessionPorts } from './app-session-ports.js';
export type { SettingsChange } from './app-settings.js';

/**
 * The tray app's view-model, composed of parts that each read on their own: the state they share
 * (SessionState: the core, the workstation shown, the notice), the fleet as shown (FleetViewModel,
 * over AppFleet's polling), the lifecycle and connect actions (OperationActions, ConnectActions,
 * each calling the same use case as `rig`), the settings and account screens (AppSettings), the
 * monitor keeping cost and reminders current, the notifications, and the views (SessionViews).
 * This class wires them together and is what the shell (ipc-handlers, app-shell) calls.
 */
export class AppSession {
  private readonly state: SessionState;
  private readonly poll: AppFleet;
  private readonly operations: AppOperations;
  private readonly monitor: Monitor;
  private readonly connect: AppConnect;
  private readonly account: AppSettings;
  private readonly notifications: SessionNotifications;
  private readonly fleet: FleetViewModel;
  private readonly lifecycle: OperationActions;
  private readonly connectActions: ConnectActions;
  private readonly views: SessionViews;
  private unsubscribe: () => void;
  private stopTicker: () => void = () => undefined;
  private unwatchHome: () => void = () => undefined;
  // The GPU stats feed the idle reminder (logic in stats-idle-feed.ts and core/stats-idle.ts).
  private statsIdleFeed: StatsIdleFeed | null = null;

  /** Fires with the popover's new view after every change. */
  readonly onDidChangeView: SessionViews['onDidChangeView'];
  /** Fires with the tray's new model after every change. */
  readonly onDidChangeTray: SessionViews['onDidChangeTray'];

  constructor(private readonly ports: SessionPorts) {
    const state = (this.state = new SessionState(ports));
    const rig = () => state.rig();
    const loops = state.loops;
    const changed = () => state.changed();
    const log = (line: string) => state.log(line);
    this.notifications = new SessionNotifications(ports.notifier, ports.popover, {
      openTerminal: () => this.attempt(() => this.openTerminal()),
      answerReminder: (button, reminder) => this.lifecycle.answerReminderButton(button, reminder),
    });
    this.connect = new AppConnect({
      rig, loops, changed, log,
      openExternal: ports.openExternal ?? ((url) => Promise.reject(new CloudRigError('LinkRefused', 'CloudRig cannot open links here.', { action: 'open-link-yourself', url }))),
      ...(ports.statsIntervalMs !== undefined ? { statsIntervalMs: ports.statsIntervalMs } : {}),
      onReading: (name, reading) => this.noteStatsReading(name, reading),
      notify: (notification) => this.notifications.notify(notification, null),
      ...(ports.env.CLOUDRIG_SETUP_DIR ? { setupDir: ports.env.CLOUDRIG_SETUP_DIR } : {}),
    });
    // The start-up burst and each hourly sweep run much code once; what it left is given back after.
    this.poll = new AppFleet({ rig, loops, notifier: ports.notifier, openExternal: ports.openExternal, changed, log, swept: () => ports.memory?.releaseColdCode('account-sweep') });
    this.operations = new AppOperations({
      update: (change) => this.fleet.update(change),
      ended: () => {
        this.poll.refreshNow();
        // What waits for the operation to end (the tray's restart to update) can go ahead now.
        changed();
      },
      log,
    });
    this.account = new AppSettings({
      rig, changed, log,
      platform: ports.platform, terminal: ports.terminal, secretBox: ports.secretBox, loginItem: ports.loginItem, appState: ports.appState,
      hasInstance: () => state.snapshot?.instance != null,
      rebuild: () => this.rebuild(),
      remindersChanged: () => this.monitor.assess(),
      setNotice: (text) => state.setNotice(text),
    });
    this.monitor = loops.monitor({
      changed, log,
      watched: () => state.watched,
      snapshot: () => state.snapshot,
      effective: () => this.fleet.effective(),
      reminderSettings: () => state.settings().reminders,
      stopping: (name) => this.operations.kindOf(name) === 'stop',
      stop: (name) => this.attempt(() => this.stopWorkstation(name), name),
      archive: (name) => this.attempt(() => this.archiveWorkstation(name), name),
      others: () => this.poll.all().filter((snapshot) => snapshot.name !== state.watched),
      notify: (notification, reminder) => this.notifications.notify(notification, reminder),
      localOffsetMinutes: ports.localOffsetMinutes ?? ((ms) => -new Date(ms).getTimezoneOffset()),
    });
    const parts = { state, poll: this.poll, operations: this.operations, monitor: this.monitor, connect: this.connect };
    this.fleet = new FleetViewModel({ ...parts, notifications: this.notifications });
    this.lifecycle = new OperationActions({ ...parts, fleet: this.fleet });
    this.connectActions = new ConnectActions({ state, ports, connect: this.connect, fleet: this.fleet });
    this.views = new SessionViews({ ...parts, fleet: this.fleet, appState: ports.appState });
    this.onDidChangeView = this.views.onDidChangeView;
    this.onDidChangeTray = this.views.onDidChangeTray;
    this.unsubscribe = state.rig().onDidChange((snapshot) => this.fleet.onSnapshot(snapshot));
  }

  /** Starts watching the current workstation. */
  start(): void {
    this.account.renewLoginItem();
    this.fleet.watch();
    this.poll.start();
    // A change `rig` made in the shell shows at once, not at the next poll.
    this.unwatchHome = this.state.rig().app.watchHome(() => this.fleet.homeChanged());
    // Cost grows and reminders come due with time alone: bring both up to date on a timer.
    this.stopTicker = this.state.rig().app.scheduler.every(this.ports.tickMs ?? 30_000, () => {
      if (this.poll.anyInstance()) this.monitor.assess();
    });
    this.state.changed();
  }

  /** Stops polling and timers; leaves every instance as it is. */
  async dispose(): Promise<void> {
    this.stopTicker();
    this.state.dispose();
    this.unsubscribe();
    this.unwatchHome();
    const cancelled = this.operations.cancelAll();
    await this.poll.stop();
    await cancelled;
    await this.monitor.settled();
    await this.connect.closeAll();
  }

  /** Switch profile or keys: the façade is built again over a core with them, and the workstation watched again. */
  private async rebuild(): Promise<void> {
    await this.operations.reset();
    this.unsubscribe();
    await this.poll.stop();
    this.state.rebuildRig();
    this.monitor.reset();
    this.unsubscribe = this.state.rig().onDidChange((snapshot) => this.fleet.onSnapshot(snapshot));
    this.fleet.watch();
    this.poll.start();
    this.state.changed();
  }

  private noteStatsReading(name: string, reading: StatsReading): void {
    if (this.statsIdleFeed === null) {
      // The first reading ends the kept session's handshake and first command: code run once.
      this.ports.memory?.releaseColdCode('first-gpu-reading');
      this.statsIdleFeed = new StatsIdleFeed((workstation, run, status) => this.monitor.noteStatsIdle(workstation, run, status));
    }
    this.statsIdleFeed.note(this.state.rig(), this.poll.get(name), reading);
  }

  // What is shown (SessionViews) and the fleet (FleetViewModel, AppFleet).

  view(): AppView { return this.views.view(); }
  tray(): TrayModel { return this.views.tray(); }
  quitPrompt(): QuitPrompt | null { return this.views.quitPrompt(); }
  show(screen: Parameters<PopoverPort['show']>[0]): void { this.ports.popover.show(screen); }
  hide(): void { this.ports.popover.hide(); }
  popoverShown(): void { this.fleet.popoverShown(); }
  refreshNow(): void { this.poll.refreshNow(); }
  /** The laptop woke, its screen unlocked or its network came back: look again, and the kept session proves itself. */
  afterWake(): void { this.poll.refreshNow(); this.connect.checkSessionNow(); }
  selectWorkstation(name: string): AppView { this.fleet.select(name); return this.view(); }
  async dismissForgotten(instanceId: string): Promise<AppView> { await this.poll.dismissForgotten(instanceId); return this.view(); }
  async openForgottenInConsole(instanceId: string): Promise<null> { await this.poll.openForgottenInConsole(instanceId); return null; }
  scanElsewhere(): Promise<void> { return this.poll.scanElsewhere(); }
  elsewhereSettled(): Promise<void> { return this.poll.elsewhereSettled(); }

  // The lifecycle (OperationActions over AppOperations).

  operationUnderWay(): OperationUnderWay | null { return this.operations.underWay(); }
  settled(): Promise<void> { return this.operations.settled(); }
  attempt(work: () => unknown, workstation?: string): void { this.lifecycle.attempt(work, workstation); }
  async saveWorkstation(form: WorkstationForm): Promise<AppView> { await this.lifecycle.save(form); return this.view(); }
  startWorkstation(workstation?: string): AppView { this.lifecycle.start(workstation); return this.view(); }
  stopWorkstation(workstation?: string): AppView { this.lifecycle.stop(workstation); return this.view(); }
  terminateWorkstation(saveImage: boolean): AppView { this.lifecycle.terminate(saveImage); return this.view(); }
  archiveWorkstation(workstation?: string): AppView { this.lifecycle.archive(workstation); return this.view(); }
  snooze(workstation?: string): Promise<void> { return this.lifecycle.snooze(workstation); }
  async answerReminder(action: 'stop' | 'snooze' | 'archive' | 'dismiss'): Promise<AppView> { await this.lifecycle.answerReminder(action); return this.view(); }

  // Change type…: the same use case as `rig resize` (change-type.ts).

  listResizeChoices(purpose: ResizePurpose): Promise<ResizeChoicesView> { return this.state.rig().app.resizeChoices(this.state.requireName(), purpose); }
  planTypeChange(instanceType: string, skipDriverCheck: boolean): Promise<ResizePlanView> { return this.state.rig().app.planTypeChange(this.state.requireName(), instanceType, skipDriverCheck); }
  changeType(request: TypeChangeRequest): Promise<ResizeOutcomeView> { return this.lifecycle.changeType(request); }

  // Reaching the running workstation (ConnectActions over AppConnect).

  copySshCommand(workstation?: string): Promise<{ copied: string }> { return this.connectActions.copySshCommand(workstation); }
  openTerminal(workstation?: string): Promise<{ terminal: string }> { return this.connectActions.openTerminal(workstation); }
  openJupyter(): Promise<TunnelView> { return this.connectActions.openJupyter(); }
  openTensorBoard(): Promise<TunnelView> { return this.connectActions.openTensorBoard(); }
  openCustomTunnel(localPort: number, remotePort: number): Promise<TunnelView> { return this.connectActions.openCustomTunnel(localPort, remotePort); }
  async openTunnelUrl(localPort: number): Promise<null> { await this.connect.tunnels.openUrl(localPort); return null; }
  async closeTunnel(localPort: number): Promise<AppView> { await this.connect.tunnels.close(localPort); return this.view(); }
  setTunnelReopen(localPort: number, reopen: boolean): AppView { this.connectActions.setTunnelReopen(localPort, reopen); return this.view(); }
  openInVsCode(): Promise<{ readonly link: string }> { return this.connectActions.openInVsCode(); }
  followAddressDrift(): Promise<string | null> { return this.connectActions.followAddressDrift(); }
  copySetupLogCommand(): Promise<{ copied: string }> { return this.connectActions.copySetupLogCommand(); }
  openSetupLog(): Promise<{ terminal: string }> { return this.connectActions.openSetupLog(); }
  dismissSetupSuggestion(): AppView { this.connect.setup.dismiss(); return this.view(); }
  async chooseProjectFolder(): Promise<AppView> { await this.connectActions.chooseProjectFolder(); return this.view(); }
  async pushProjectNow(): Promise<AppView> { await this.connectActions.pushProjectNow(); return this.view(); }
  updateProjectFolder(change: { readonly pushOnStart?: boolean; readonly remote?: string }): AppView { this.connectActions.updateProjectFolder(change); return this.view(); }

  // The settings and account screens (AppSettings).

  getSettings(): Promise<SettingsView> { return this.account.getSettings(); }
  updateSettings(change: SettingsChange): Promise<SettingsView> { return this.account.updateSettings(change); }
  saveAccessKeys(keys: AccessKeys): Promise<SettingsView> { return this.account.saveAccessKeys(keys); }
  clearAccessKeys(): Promise<SettingsView> { return this.account.clearAccessKeys(); }
  toggleStartAtLogin(): Promise<SettingsView> { return this.account.toggleStartAtLogin(); }
  listInstanceTypes(region: string): Promise<InstanceTypeOption[]> { return this.account.listInstanceTypes(region); }
  listGpuOffers(query: GpuOffersQuery): Promise<GpuOffersView> { return this.account.listGpuOffers(query); }
  runChecks(target: CheckTarget): Promise<CheckReport> { return this.account.runChecks(target); }
  requestQuota(request: { region: string; quotaCode: string; desired: number }): Promise<QuotaRequestResult> { return this.account.requestQuota(request); }
}
