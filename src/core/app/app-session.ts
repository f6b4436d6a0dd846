import type { AccessKeys } from '../../shared/contract.js';
import type { Settings } from '../../shared/settings.js';
import type { AppView, CheckReport, TunnelView, InstanceTypeOption, QuotaRequestResult, SettingsView, WorkstationForm } from '../../shared/views.js';
import type { Snapshot } from '../../shared/workstation.js';
import { reminderApplies, type OpenReminder } from '../cost-watch.js';
import { openAccessKeys, type SecretBox } from '../credentials.js';
import { Emitter } from '../emitter.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CheckTarget } from '../first-run-checks.js';
import { notificationPolicy, type NotificationButton, type NotificationModel } from '../notification-policy.js';
import { canCopySsh } from '../phase-view.js';
import { appView, currentWorkstation } from '../popover-model.js';
import { quitPrompt, type QuitPrompt } from '../quit-policy.js';
import { SNOOZE_HOURS } from '../reminder-policy.js';
import { displayedSshArgv } from '../ssh-config.js';
import { fleetTrayModel, type TrayModel } from '../tray-model.js';
import type { OperationUnderWay } from '../update-menu.js';
import { fleetView } from '../fleet-view.js';
import { AppConnect, type OpenUrl } from './app-connect.js';
import { withSetupProgress } from './app-setup.js';
import { listGpuOffersView } from './account.js';
import type { GpuOffersQuery, GpuOffersView } from '../../shared/gpu-offers.js';
import { AppFleet } from './app-fleet.js';
import { changeType, planTypeChange, resizeChoices, type TypeChangeRequest } from './change-type.js';
import type { ResizeChoicesView, ResizeOutcomeView, ResizePlanView, ResizePurpose } from '../../shared/resize-view.js';
import { AppOperations } from './app-operations.js';
import { AppSettings, type SettingsChange } from './app-settings.js';
import type { CloudRigCore, CoreFactory } from './cloudrig-core.js';
import { startWorkstation, stopWorkstation, terminateWorkstation } from './lifecycle.js';
import { archiveNow } from './archive.js';
import { Monitor } from './monitor.js';
import { moveLegacyAppState } from './app-state-migration.js';
import type { AppStateStore, Clipboard, FolderPicker, LoginItem, Notifier, PopoverPort, TerminalPort } from './shell-ports.js';
import { snoozeWorkstation } from './snooze.js';
import type { StatsReading } from './stats.js';
import { StatsIdleFeed } from './stats-idle-feed.js';
import { requestOfForm, setUpWorkstation } from './workstation-setup.js';

/** What the app session needs from the shell around it; the app passes Electron's, tests their own. */
export interface SessionPorts {
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: string;
  readonly createCore: CoreFactory;
  readonly clipboard: Clipboard;
  readonly terminal: TerminalPort;
  readonly notifier: Notifier;
  readonly secretBox: SecretBox;
  readonly loginItem: LoginItem;
  /** The app's own state (sealed keys, start at login, …), kept apart from the home `rig` shares. */
  readonly appState: AppStateStore;
  readonly popover: PopoverPort;
  readonly log?: (line: string) => void;
  /** How often cost, reminders and the uptime shown are brought up to date while there is an instance. */
  readonly tickMs?: number;
  /** Minutes to add to UTC for local time at an instant (the daily reminder); the system's by default. */
  readonly localOffsetMinutes?: (epochMs: number) => number;
  /** How long a notice ("Copied …") stays. */
  readonly noticeMs?: number;
  /** Opens an allowlisted URL outside the app (Jupyter in the browser, a folder in VS Code, "Show in AWS console"). */
  readonly openExternal?: OpenUrl;
  /** How often the GPU panel reads the stats while ready (STATS_INTERVAL_MS by default). */
  readonly statsIntervalMs?: number;
  /** The system folder dialog (the push folder's Change…); absent where there is none. */
  readonly folderPicker?: FolderPicker;
}

export type { SettingsChange } from './app-settings.js';

/**
 * The app's face of the application layer: every workstation watched through the core (AppFleet),
 * one of them shown, the use cases run on them (long ones in the background, one at a time per
 * workstation: AppOperations), the monitor keeping cost and reminders current, the settings and
 * account screens (AppSettings), and every change turned into a view, a tray model and (maybe) a
 * notification by the pure functions in core. The shell binds it to Electron.
 */
export class AppSession {
  private core: CloudRigCore;
  private unsubscribe: () => void;
  /** Every workstation polled together (one DescribeInstances per region per poll), their rates, the spend chart, the forgotten-instance watch. */
  private readonly fleet: AppFleet;
  /** The workstation shown, and its latest snapshot. */
  private watched: string | null = null;
  private snapshot: Snapshot | null = null;
  private notice: { text: string; cancel: () => void } | null = null;
  private stopTicker: () => void = () => undefined;
  private unwatchHome: () => void = () => undefined;
  private readonly shown = new Set<string>();
  private readonly viewChanged = new Emitter<AppView>();
  private readonly trayChanged = new Emitter<TrayModel>();
  /** One lifecycle operation at a time per workstation, and the error each one's last left. */
  private readonly operations: AppOperations;
  private readonly monitor: Monitor;
  private readonly connect: AppConnect;
  private readonly account: AppSettings;

  /** Fires with the popover's new view after every change. */
  readonly onDidChangeView = this.viewChanged.event;
  /** Fires with the tray's new model after every change. */
  readonly onDidChangeTray = this.trayChanged.event;

  constructor(private readonly ports: SessionPorts) {
    this.core = this.buildCore();
    this.connect = new AppConnect({
      core: () => this.core,
      openExternal: ports.openExternal ?? (() => Promise.reject(new CloudRigError('LinkRefused', 'CloudRig cannot open links here.', 'Open the address yourself.'))),
      changed: () => this.emit(),
      log: (line) => this.log(line),
      ...(ports.statsIntervalMs !== undefined ? { statsIntervalMs: ports.statsIntervalMs } : {}),
      onReading: (name, reading) => this.noteStatsReading(name, reading),
      notify: (notification) => this.notify(notification, null),
      ...(ports.env.CLOUDRIG_SETUP_DIR ? { setupDir: ports.env.CLOUDRIG_SETUP_DIR } : {}),
    });
    this.unsubscribe = this.core.service.onDidChange((snapshot) => this.onSnapshot(snapshot));
    this.fleet = new AppFleet({
      core: () => this.core,
      notifier: ports.notifier,
      openExternal: ports.openExternal,
      changed: () => this.emit(),
      log: (line) => this.log(line),
    });
    this.operations = new AppOperations({
      update: (change) => this.update(change),
      ended: () => {
        this.fleet.refreshNow();
        // What waits for the operation to end (the tray's restart to update) can go ahead now.
        this.emit();
      },
      log: (line) => this.log(line),
    });
    this.account = new AppSettings({
      core: () => this.core,
      platform: ports.platform,
      terminal: ports.terminal,
      secretBox: ports.secretBox,
      loginItem: ports.loginItem,
      appState: ports.appState,
      hasInstance: () => this.snapshot?.instance != null,
      rebuild: () => this.rebuild(),
      remindersChanged: () => this.monitor.assess(),
      changed: () => this.emit(),
      setNotice: (text) => this.setNotice(text),
      log: (line) => this.log(line),
    });
    this.monitor = new Monitor({
      core: () => this.core,
      watched: () => this.watched,
      snapshot: () => this.snapshot,
      effective: () => this.effective(),
      reminderSettings: () => this.settings().reminders,
      stopping: (name) => this.operations.kindOf(name) === 'stop',
      stop: (name) => this.attempt(() => this.stopWorkstation(name), name),
      archive: (name) => this.attempt(() => this.archiveWorkstation(name), name),
      others: () => this.fleet.all().filter((snapshot) => snapshot.name !== this.watched),
      notify: (notification, reminder) => this.notify(notification, reminder),
      changed: () => this.emit(),
      log: (line) => this.log(line),
      localOffsetMinutes: ports.localOffsetMinutes ?? ((ms) => -new Date(ms).getTimezoneOffset()),
    });
  }

  /** Starts watching the current workstation. */
  start(): void {
    this.account.renewLoginItem();
    this.watch();
    this.fleet.start();
    // A change `rig` made in the shell shows at once, not at the next poll.
    this.unwatchHome = this.core.changes.watch(() => this.homeChanged());
    // Cost grows and reminders come due with time alone: bring both up to date on a timer.
    this.stopTicker = this.core.scheduler.every(this.ports.tickMs ?? 30_000, () => {
      if (this.fleet.anyInstance()) this.monitor.assess();
    });
    this.emit();
  }

  /** Stops polling and timers; leaves every instance as it is. */
  async dispose(): Promise<void> {
    this.stopTicker();
    this.notice?.cancel();
    this.unsubscribe();
    this.unwatchHome();
    const cancelled = this.operations.cancelAll();
    await this.fleet.stop();
    await cancelled;
    await this.monitor.settled();
    await this.connect.closeAll();
  }

  private log(line: string): void {
    this.ports.log?.(line);
  }

  private buildCore(): CloudRigCore {
    const base = { home: this.ports.home, env: this.ports.env };
    const plain = this.ports.createCore(base);
    // Before the keys are read: an earlier version kept them in the shared settings file.
    moveLegacyAppState(plain.settings, this.ports.appState, (line) => this.log(line));
    const keys = openAccessKeys(this.ports.secretBox, this.ports.appState.read().sealedCredentials);
    return keys ? this.ports.createCore({ ...base, credentials: keys }) : plain;
  }

  /** Switch profile or keys: the core is built again with them, and the workstation watched again. */
  private async rebuild(): Promise<void> {
    await this.operations.reset();
    this.unsubscribe();
    await this.fleet.stop();
    this.watched = null;
    this.snapshot = null;
    this.core = this.buildCore();
    this.monitor.reset();
    this.unsubscribe = this.core.service.onDidChange((snapshot) => this.onSnapshot(snapshot));
    this.watch();
    this.fleet.start();
    this.emit();
  }

  private settings(): Settings {
    return this.core.settings.read();
  }

  /** Follows the current workstation (switching when it changed); the fleet watch polls them all. */
  private watch(): void {
    const name = currentWorkstation(this.settings());
    if (name === this.watched) return;
    this.watched = name;
    this.snapshot = name === null ? null : this.fleet.get(name);
    this.monitor.forget();
    this.connect.noteSnapshot(null);
    if (this.snapshot) {
      this.monitor.noteSnapshot(this.snapshot, null);
      this.connect.noteSnapshot(this.snapshot);
    }
  }

  /** Every workstation's snapshot in the settings' order, each as shown (with its last operation's error). */
  private fleetSnapshots(): Snapshot[] {
    return Object.keys(this.settings().workstations)
      .map((name) => this.operations.asShown(this.latest(name)))
      .filter((snapshot): snapshot is Snapshot => snapshot !== null);
  }

  /** Cost facts per workstation: the monitor's for the current one, the rate alone for the others. */
  private fleetCosts(): ReturnType<AppFleet['costs']> {
    return this.fleet.costs(this.watched, this.monitor.costFacts());
  }

  /** The current workstation's snapshot as shown. */
  private effective(): Snapshot | null {
    return this.operations.asShown(this.snapshot);
  }

  /** The latest snapshot of a workstation, the current one or another. */
  private latest(name: string): Snapshot | null {
    return name === this.watched ? this.snapshot : this.fleet.get(name);
  }

  /** Applies a change, then raises the notification the change calls for and emits the views. */
  private update(change: () => void): void {
    const before = this.effective();
    change();
    const after = this.effective();
    if (after) {
      const notification = notificationPolicy(before, after, this.core.clock.now(), this.settings(), { hourlyUsd: this.monitor.hourlyUsd() });
      if (notification) this.notify(notification, null);
    }
    this.emit();
  }

  /** Shows a notification once per key; a reminder's buttons answer that reminder. */
  private notify(notification: NotificationModel, reminder: OpenReminder | null): void {
    if (this.shown.has(notification.key)) return;
    this.shown.add(notification.key);
    this.ports.notifier.show(
      notification,
      () => this.onNotificationClick(notification),
      (button) => this.onNotificationButton(button, reminder),
    );
  }

  private onSnapshot(snapshot: Snapshot): void {
    const before = this.fleet.note(snapshot);
    if (snapshot.name !== this.watched) {
      this.operations.notePhase(snapshot.name, before?.phase ?? null, snapshot.phase);
      if (before?.phase !== snapshot.phase || before?.instance?.instanceType !== snapshot.instance?.instanceType) {
        this.fleet.noteRate(snapshot);
        // Its run is metered and reminded about too (the monitor asks for every workstation).
        this.monitor.assess();
      }
      if (JSON.stringify(before) !== JSON.stringify(snapshot)) this.emit();
      return;
    }
    const previous = this.snapshot?.phase ?? null;
    this.update(() => {
      this.operations.notePhase(snapshot.name, this.snapshot?.phase ?? null, snapshot.phase);
      this.snapshot = snapshot;
    });
    this.monitor.noteSnapshot(snapshot, previous);
    this.connect.noteSnapshot(snapshot);
  }

  private emit(): void {
    try {
      this.viewChanged.fire(this.view());
      this.trayChanged.fire(this.tray());
    } catch (error) {
      this.log(`could not compute the view: ${toErrorInfo(error).message}`);
    }
  }

  private setNotice(text: string): void {
    this.notice?.cancel();
    const cancel = this.core.scheduler.after(this.ports.noticeMs ?? 4_000, () => {
      this.notice = null;
      this.emit();
    });
    this.notice = { text, cancel };
    this.emit();
  }

  /** A new operation begins: what the last one said ("Saved gpu", "Copied …") is no longer news. */
  private clearNotice(): void {
    if (!this.notice) return;
    this.notice.cancel();
    this.notice = null;
    this.emit();
  }

  /** The popover's view now. */
  view(): AppView {
    const settings = this.settings();
    const snapshot = this.effective();
    const base = appView(snapshot, settings, this.core.clock.now(), this.monitor.costFacts(), this.notice?.text ?? null, this.monitor.openReminder?.reminder ?? null);
    const connect = snapshot ? this.connect.view(snapshot, settings.sshConfigInstalled) : undefined;
    return {
      ...base,
      workstation: base.workstation && withSetupProgress(base.workstation, connect?.setup),
      ...(connect ? { connect } : {}),
      fleet: fleetView(this.fleetSnapshots(), settings, this.watched, this.fleetCosts()),
      elsewhere: this.fleet.elsewhereView(),
      spendChart: this.fleet.spendChart(),
    };
  }

  /** The tray now: the whole fleet (exactly the single-workstation tray when there is one), its tooltip with a short GPU line while readings come in. */
  tray(): TrayModel {
    const settings = { ...this.settings(), startAtLogin: this.ports.appState.read().startAtLogin };
    const model = fleetTrayModel(this.fleetSnapshots(), settings, this.core.clock.now(), this.fleetCosts());
    const lines = [this.connect.setup.trayLine(), this.connect.view(this.effective(), false).gpuLine].filter((line) => line !== null);
    return lines.length > 0 ? { ...model, tooltip: [model.tooltip, ...lines].join('\n') } : model;
  }

  /** The lifecycle operation the app runs on some workstation (start, stop, terminate), or null when none runs. */
  operationUnderWay(): OperationUnderWay | null {
    return this.operations.underWay();
  }

  /** What to ask before quitting, or null to quit at once. */
  quitPrompt(): QuitPrompt | null {
    return quitPrompt(this.effective(), this.monitor.hourlyUsd());
  }

  /** The popover was opened: look again, and bring cost (and, when stopped, what is kept) up to date. */
  popoverShown(): void {
    this.refreshNow();
    this.fleet.refreshChart();
    this.monitor.assess();
    this.monitor.lookUpStillCosting();
  }

  /** `rig` changed something: read the settings again (which workstation), ask EC2 now, update cost and reminders. */
  private homeChanged(): void {
    this.watch();
    this.refreshNow();
    this.monitor.assess();
    this.fleet.refreshChart();
    this.emit();
  }

  /** Refreshes now (resume from sleep, network back, popover opened): every workstation, one call per region. */
  refreshNow(): void {
    this.fleet.refreshNow();
  }

  /** The popover's switcher: show another workstation, and remember when it was last used. */
  selectWorkstation(name: string): AppView {
    if (!this.settings().workstations[name]) {
      throw new CloudRigError('NoWorkstation', `There is no workstation named "${name}".`, 'Pick one from the list.');
    }
    this.core.settings.update((current) => ({ ...current, current: name, lastUsed: { ...current.lastUsed, [name]: this.core.clock.now() } }));
    this.watch();
    this.monitor.assess();
    this.monitor.lookUpStillCosting();
    this.emit();
    return this.view();
  }

  /** "Don't tell me about this one again" for an instance CloudRig did not start. */
  async dismissForgotten(instanceId: string): Promise<AppView> {
    await this.fleet.dismissForgotten(instanceId);
    return this.view();
  }

  /** "Show in AWS console" for an instance CloudRig did not start. */
  async openForgottenInConsole(instanceId: string): Promise<null> {
    await this.fleet.openForgottenInConsole(instanceId);
    return null;
  }

  /** Scans the account for forgotten instances now (the watch does it at start and hourly). */
  async scanElsewhere(): Promise<void> {
    await this.fleet.scanElsewhere();
  }

  /** Resolves once the forgotten-instance scan under way (the one at start) is done. */
  async elsewhereSettled(): Promise<void> {
    await this.fleet.elsewhereSettled();
  }

  private requireName(): string {
    if (this.watched === null) {
      throw new CloudRigError('NoWorkstation', 'No workstation is set up yet.', 'Fill in the setup form and press Create workstation.');
    }
    return this.watched;
  }

  /** Start; returns at once, progress comes as views. */
  startWorkstation(workstation?: string): AppView {
    const name = workstation ?? this.requireName();
    this.clearNotice();
    this.operations.run(name, 'up', (signal) => startWorkstation(this.core, name, { signal }));
    return this.view();
  }

  /** Stop; returns at once (the current workstation's tunnels close first). */
  stopWorkstation(workstation?: string): AppView {
    const name = workstation ?? this.requireName();
    this.clearNotice();
    if (name === this.watched) {
      this.monitor.closeReminder();
      void this.connect.closeAll();
    }
    this.operations.run(name, 'stop', (signal) => stopWorkstation(this.core, name, { signal }));
    return this.view();
  }

  /** Terminate (saving an image first when asked); returns at once. */
  terminateWorkstation(saveImage: boolean): AppView {
    const name = this.requireName();
    this.clearNotice();
    this.operations.run(name, 'down', (signal) => terminateWorkstation(this.core, name, { saveImage, signal }));
    return this.view();
  }

  /** Archive (the current workstation unless named): its disk saved as an image, then terminated; returns at once. */
  archiveWorkstation(workstation?: string): AppView {
    const name = workstation ?? this.requireName();
    this.clearNotice();
    if (name === this.watched) this.monitor.closeReminder();
    this.operations.run(name, 'down', (signal) => archiveNow(this.core, name, { signal }));
    return this.view();
  }

  /**
   * Snooze (the current workstation unless named): its instance's idle auto-stop, then the
   * reminders, wait SNOOZE_HOURS (the same use case as `rig snooze`).
   */
  async snooze(workstation?: string): Promise<void> {
    const name = workstation ?? this.requireName();
    const snoozed = await snoozeWorkstation(this.core, { name, hours: SNOOZE_HOURS, exclusive: (work) => this.monitor.serial(work) });
    if (this.monitor.openReminder?.reminder.workstation === name) this.monitor.closeReminder();
    this.monitor.noteSnoozed(this.latest(name), snoozed.until);
    this.setNotice(`Snoozed for ${SNOOZE_HOURS} h: no reminders, and ${name} stays up`);
  }

  /** The popover's answer to the open reminder: Stop now, Snooze, or just dismiss it. */
  async answerReminder(action: 'stop' | 'snooze' | 'archive' | 'dismiss'): Promise<AppView> {
    if (action === 'stop') return this.stopWorkstation();
    if (action === 'archive') return this.archiveWorkstation();
    if (action === 'snooze') await this.snooze();
    this.monitor.closeReminder();
    this.emit();
    return this.view();
  }

  /** Waits for the operations under way on every workstation, if any (tests and quit). */
  settled(): Promise<void> {
    return this.operations.settled();
  }

  async copySshCommand(workstation?: string): Promise<{ copied: string }> {
    const snapshot = workstation === undefined || workstation === this.watched ? this.effective() : this.latest(workstation);
    if (!snapshot || !canCopySsh(snapshot) || snapshot.sshCommand === null) {
      throw new CloudRigError('NotRunning', 'There is no ssh command while the workstation is not running.', 'Start it first.');
    }
    await this.copyText(snapshot.sshCommand, 'the ssh command');
    this.setNotice('Copied the ssh command');
    return { copied: snapshot.sshCommand };
  }

  async openTerminal(workstation?: string): Promise<{ terminal: string }> {
    const name = workstation ?? this.requireName();
    const target = await this.core.service.sshTarget(name);
    const app = await this.ports.terminal.open(displayedSshArgv(name, target, this.settings().sshConfigInstalled), { preferred: this.settings().terminal, title: `CloudRig: ${name}` });
    this.setNotice(`Opened ${app.label}`);
    return { terminal: app.label };
  }

  /** Finds the Jupyter server on the workstation, forwards it and opens it in the browser (`rig jupyter`). */
  async openJupyter(): Promise<TunnelView> {
    const tunnel = await this.connect.openJupyter(this.requireName());
    this.setNotice(`Jupyter on ${tunnel.url.replace(/\?.*$/, '')}`);
    return tunnel;
  }

  /** Forwards TensorBoard's port (`rig tunnel tensorboard`). */
  async openTensorBoard(): Promise<TunnelView> {
    const tunnel = await this.connect.openTunnel(this.requireName(), 'tensorboard');
    this.setNotice(`TensorBoard on ${tunnel.url}`);
    return tunnel;
  }

  /** Opens a tunnel's address in the browser again. */
  async openTunnelUrl(localPort: number): Promise<null> {
    await this.connect.openTunnelUrl(localPort);
    return null;
  }

  async closeTunnel(localPort: number): Promise<AppView> {
    await this.connect.closeTunnel(localPort);
    return this.view();
  }

  /** Opens the workstation's home folder in VS Code over Remote-SSH (`rig code`). */
  async openInVsCode(): Promise<{ readonly link: string }> {
    const link = await this.connect.openInVsCode(this.requireName());
    this.setNotice('Opened in VS Code');
    return { link };
  }

  /** Resume or network change: admit the new public address when it moved; say what happened. */
  async followAddressDrift(): Promise<string | null> {
    if (this.watched === null || this.snapshot?.instance == null) return null;
    const report = await this.core.service.followAddressDrift(this.watched);
    if (report.changed || report.cidr === null) this.setNotice(report.message);
    return report.message;
  }

  /** Set up or edit the workstation from the form (the same use case as `rig init`). */
  async saveWorkstation(form: WorkstationForm): Promise<AppView> {
    const result = await setUpWorkstation(this.core, requestOfForm(form), { editing: this.watched });
    this.watch();
    this.fleet.refreshNow();
    this.setNotice(`Saved ${result.spec.name}`);
    return this.view();
  }

  getSettings(): Promise<SettingsView> {
    return this.account.getSettings();
  }

  updateSettings(change: SettingsChange): Promise<SettingsView> {
    return this.account.updateSettings(change);
  }

  /** Switch to keys typed into the app (sealed by the secret box). */
  saveAccessKeys(keys: AccessKeys): Promise<SettingsView> {
    return this.account.saveAccessKeys(keys);
  }

  clearAccessKeys(): Promise<SettingsView> {
    return this.account.clearAccessKeys();
  }

  listInstanceTypes(region: string): Promise<InstanceTypeOption[]> {
    return this.account.listInstanceTypes(region);
  }

  runChecks(target: CheckTarget): Promise<CheckReport> {
    return this.account.runChecks(target);
  }

  requestQuota(request: { region: string; quotaCode: string; desired: number }): Promise<QuotaRequestResult> {
    return this.account.requestQuota(request);
  }

  /** Runs a use case whose failure is shown in the popover as that workstation's (the current one's by default). */
  attempt(work: () => unknown, workstation?: string): void {
    const name = workstation ?? this.watched;
    try {
      const result = work();
      if (result instanceof Promise) result.catch((error: unknown) => this.operations.report(error, name));
    } catch (error) {
      this.operations.report(error, name);
    }
  }

  private onNotificationClick(notification: NotificationModel): void {
    if (notification.action === 'open-terminal') this.attempt(() => this.openTerminal());
    // A reminder's Stop now / Snooze choices are on the popover's main screen (the view carries them).
    else this.ports.popover.show('main');
  }

  /**
   * A reminder's notification button (macOS): Stop now or Snooze for the workstation the reminder
   * is about (not necessarily the one shown), if its run is still going.
   */
  private onNotificationButton(button: NotificationButton['id'], reminder: OpenReminder | null): void {
    const name = reminder?.reminder.workstation ?? null;
    // Archive answers a reminder about a stopped box: it applies while the box is still stopped.
    if (button === 'archive' && name !== null && this.latest(name)?.phase === 'stopped') {
      this.attempt(() => this.archiveWorkstation(name), name);
      return;
    }
    if (name === null || !reminderApplies(reminder, this.latest(name), this.core.clock.now())) {
      this.setNotice('That reminder was about a run that has ended');
      return;
    }
    this.attempt(() => (button === 'stop' ? this.stopWorkstation(name) : this.snooze(name)), name);
  }

  /** Shows a screen of the popover. */
  show(screen: Parameters<PopoverPort['show']>[0]): void {
    this.ports.popover.show(screen);
  }

  hide(): void {
    this.ports.popover.hide();
  }

  /** Flips Start at login. */
  toggleStartAtLogin(): Promise<SettingsView> {
    return this.account.toggleStartAtLogin();
  }

  // The GPU stats feed the idle reminder (logic in stats-idle-feed.ts and core/stats-idle.ts).
  private statsIdleFeed: StatsIdleFeed | null = null;

  private noteStatsReading(name: string, reading: StatsReading): void {
    this.statsIdleFeed ??= new StatsIdleFeed((workstation, run, status) => this.monitor.noteStatsIdle(workstation, run, status));
    this.statsIdleFeed.note(this.core, this.fleet.get(name), reading);
  }

  // The setup script's log in the popover: thin delegations to AppSetup.

  /** Puts text on the clipboard, or says it could not and gives the text to copy by hand. */
  private async copyText(text: string, what: string): Promise<void> {
    try {
      await this.ports.clipboard.writeText(text);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
      throw new CloudRigError('ClipboardFailed', `Could not put ${what} on the clipboard (${reason}).`, `Copy it by hand: ${text}`);
    }
  }

  /** Copies the ssh command that tails the whole setup log (`tail -f`, the log's fixed path quoted). */
  async copySetupLogCommand(): Promise<{ copied: string }> {
    const name = this.requireName();
    const command = this.connect.setup.logTailCommand(name, await this.core.service.sshTarget(name), this.settings().sshConfigInstalled);
    await this.copyText(command, 'the command that follows the setup log');
    this.setNotice('Copied the command that follows the setup log');
    return { copied: command };
  }

  /** Opens a terminal running `less` on the whole setup log on the box. */
  async openSetupLog(): Promise<{ terminal: string }> {
    const name = this.requireName();
    const argv = this.connect.setup.logViewerArgv(name, await this.core.service.sshTarget(name), this.settings().sshConfigInstalled);
    const app = await this.ports.terminal.open(argv, { preferred: this.settings().terminal, title: `CloudRig: ${name} setup log` });
    this.setNotice(`Opened the setup log in ${app.label}`);
    return { terminal: app.label };
  }

  /** Hides the one-time "Save image" suggestion after a successful setup. */
  dismissSetupSuggestion(): AppView {
    this.connect.setup.dismiss();
    return this.view();
  }

  // The push folder and tunnels re-opened on start: thin delegations to AppConnect's parts.

  /** "Change…": the folder dialog picks the folder pushed to the current workstation. */
  async chooseProjectFolder(): Promise<AppView> {
    const name = this.requireName();
    const folder = await this.connect.project.choose(name, this.ports.folderPicker);
    if (folder) this.setNotice(`Push folder: ${folder.local} → ${folder.remote}`);
    return this.view();
  }

  /** "Push now": the same copy as `rig push`; progress and the outcome come as views. */
  async pushProjectNow(): Promise<AppView> {
    await this.connect.project.push(this.requireName());
    return this.view();
  }

  /** "Push on start" on or off, or another folder on the workstation. */
  updateProjectFolder(change: { readonly pushOnStart?: boolean; readonly remote?: string }): AppView {
    this.connect.project.update(this.requireName(), change);
    return this.view();
  }

  /** "Re-open on start" on a tunnel (or Forget on one that could not re-open). */
  setTunnelReopen(localPort: number, reopen: boolean): AppView {
    this.connect.setReopen(this.requireName(), localPort, reopen);
    return this.view();
  }

  /** Forwards a custom port (`rig tunnel LOCAL:REMOTE`). */
  async openCustomTunnel(localPort: number, remotePort: number): Promise<TunnelView> {
    const tunnel = await this.connect.openForward(this.requireName(), { localPort, remoteHost: 'localhost', remotePort, label: null });
    this.setNotice(`Port ${remotePort} on ${tunnel.url}`);
    return tunnel;
  }

  // --- The instance-type picker: the same use case as `rig gpus`.

  /** GPU offers for the workstation form's picker (src/core/app/account.ts). */
  listGpuOffers(query: GpuOffersQuery): Promise<GpuOffersView> {
    return listGpuOffersView(this.core, query);
  }

  // --- Change type…: the same use case as `rig resize` (change-type.ts).

  /** The rows Change type… offers for the workstation shown (for a capacity error: the same GPU or better in its zone). */
  listResizeChoices(purpose: ResizePurpose): Promise<ResizeChoicesView> {
    return resizeChoices(this.core, this.requireName(), purpose);
  }

  /** The checks and prices of a change of type, before anything changes. */
  planTypeChange(instanceType: string, skipDriverCheck: boolean): Promise<ResizePlanView> {
    return planTypeChange(this.core, this.requireName(), instanceType, skipDriverCheck);
  }

  /** Changes the type of the workstation shown (stopping it first when asked; its tunnels close as for Stop). */
  changeType(request: TypeChangeRequest): Promise<ResizeOutcomeView> {
    const name = this.requireName();
    this.clearNotice();
    return changeType({
      core: this.core,
      operationOf: (workstation) => this.operations.kindOf(workstation),
      runOperation: (workstation, kind, work) => {
        this.monitor.closeReminder();
        void this.connect.closeAll();
        this.operations.run(workstation, kind, work);
      },
      start: (workstation) => this.startWorkstation(workstation),
      setNotice: (text) => this.setNotice(text),
    }, name, request);
  }
}
