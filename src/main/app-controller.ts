import type { Core, CoreOptions } from '../adapters/compose.js';
import type { AwsAccess } from '../adapters/aws/client-config.js';
import type { GpuInstanceType } from '../adapters/aws/instance-catalog.js';
import type { AccessKeys } from '../shared/contract.js';
import type { Reminders, Settings } from '../shared/settings.js';
import type {
  AppView,
  CheckReport,
  InstanceTypeOption,
  QuotaRequestResult,
  Screen,
  SettingsView,
  WorkstationForm,
} from '../shared/views.js';
import type { ErrorInfo, Snapshot } from '../shared/workstation.js';
import type { StillCosting } from '../core/cost-meter.js';
import type { CostStatus } from '../core/cost-tracker.js';
import type { CostFacts } from '../core/cost-view.js';
import {
  budgetStopDue,
  idleProbeDue,
  keptResourcesDue,
  pendingReminder,
  reminderApplies,
  reminderInputOf,
  runKey,
  type OpenReminder,
  type ReminderStore,
} from '../core/cost-watch.js';
import { openAccessKeys, sealAccessKeys, type SecretBox } from '../core/credentials.js';
import { Emitter } from '../core/emitter.js';
import { CloudRigError, toErrorInfo } from '../core/errors.js';
import type { CheckTarget } from '../core/first-run-checks.js';
import { idleStatusCommand, parseIdleStatus, snoozeCommand, type IdleStatus } from '../core/idle-watchdog.js';
import {
  notificationPolicy,
  reminderNotification,
  type NotificationButton,
  type NotificationModel,
} from '../core/notification-policy.js';
import { canCopySsh } from '../core/phase-view.js';
import { appView, currentWorkstation, showsStillCosting } from '../core/popover-model.js';
import type { SshTarget } from '../core/ports.js';
import { quitPrompt, type QuitPrompt } from '../core/quit-policy.js';
import { evaluateReminders, snoozeReminders, SNOOZE_HOURS } from '../core/reminder-policy.js';
import { settingsView, specFromForm } from '../core/settings-view.js';
import { sshTargetOf } from '../core/ssh-command.js';
import { displayedSshArgv } from '../core/ssh-config.js';
import { TERMINALS, terminalOptions, terminalPlatform } from '../core/terminal-command.js';
import { trayModel, type TrayAction, type TrayModel } from '../core/tray-model.js';
import { validateRegion } from '../core/validate.js';
import { Watcher } from '../core/watcher.js';
import { resourceName } from '../core/workstation-service.js';
import { isAllowedExternal, linkUrl } from './external-links.js';
import type { Handlers } from './ipc-router.js';

/** Puts text on the system clipboard. */
export interface Clipboard {
  writeText(text: string): void;
}

/** Opens the system terminal (adapters/terminal in the app). */
export interface TerminalPort {
  installed(): Promise<Set<string>>;
  open(argv: readonly string[], options: { readonly preferred: string | null; readonly title: string }): Promise<{ readonly label: string }>;
}

/** Shows native notifications; `onButton` runs when one of the notification's buttons is pressed. */
export interface Notifier {
  show(notification: NotificationModel, onClick: () => void, onButton?: (button: NotificationButton['id']) => void): void;
}

/** Registers the app to start at login. */
export interface LoginItem {
  set(enabled: boolean): void;
  /** Re-registers at start (a moved app) without undoing what the user switched off outside the app. */
  renew?(): void;
}

/** The popover window, as far as the controller drives it. */
export interface PopoverPort {
  show(screen: Screen): void;
  hide(): void;
}

/** First-run checks, quota requests and the GPU type list (adapters/aws in the app). */
export interface AccountPort {
  checks(access: AwsAccess, target: CheckTarget): Promise<CheckReport>;
  requestQuota(access: AwsAccess, region: string, quotaCode: string, desired: number): Promise<QuotaRequestResult>;
  gpuTypes(access: AwsAccess, region: string): Promise<GpuInstanceType[]>;
}

/** Everything the controller needs from the shell around it; the app passes Electron's, tests their own. */
export interface ControllerPorts {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly platform: string;
  readonly createCore: (options: CoreOptions) => Core;
  readonly clipboard: Clipboard;
  readonly terminal: TerminalPort;
  readonly notifier: Notifier;
  readonly secretBox: SecretBox;
  readonly loginItem: LoginItem;
  /** Hands a URL to the OS browser; only called with URLs isAllowedExternal admits. */
  readonly openExternal: (url: string) => Promise<void>;
  readonly popover: PopoverPort;
  readonly account: AccountPort;
  /** Where the reminder policy's state is kept (`<home>/state/reminders.json` in the app). */
  readonly reminderStore: (home: string) => ReminderStore;
  /** Profile names from ~/.aws/config and ~/.aws/credentials. */
  readonly profiles: () => Promise<string[]>;
  readonly log?: (line: string) => void;
  /** How often cost, reminders and the uptime shown are brought up to date while there is an instance. */
  readonly tickMs?: number;
  /** Minutes to add to UTC for local time at an instant (the daily reminder); the system's by default. */
  readonly localOffsetMinutes?: (epochMs: number) => number;
  /** How long a notice ("Copied …") stays. */
  readonly noticeMs?: number;
}

interface Operation {
  readonly kind: 'up' | 'stop' | 'down';
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/** Errors the user caused by changing their mind (a Stop aborting a Start's wait) are not news. */
function shownError(error: ErrorInfo | null): ErrorInfo | null {
  return error && error.code !== 'Aborted' ? error : null;
}

/**
 * The app's state behind the tray, the popover and the notifications: one current workstation
 * watched through the core, intents from the UI run as background operations, and every change
 * turned into a view, a tray model and (maybe) a notification by the pure functions in core.
 * No Electron here: the shell passes ports, so e2e tests drive the same object.
 */
export class AppController {
  private core: Core;
  private unsubscribe: () => void;
  private watcher: Watcher | null = null;
  private watched: string | null = null;
  private snapshot: Snapshot | null = null;
  private operation: Operation | null = null;
  private operationError: ErrorInfo | null = null;
  private notice: { text: string; timer: ReturnType<typeof setTimeout> } | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly shown = new Set<string>();
  private readonly viewChanged = new Emitter<AppView>();
  private readonly trayChanged = new Emitter<TrayModel>();
  private readonly reminders: ReminderStore;
  /** The cost meter's last answer for the watched workstation. */
  private cost: { name: string; status: CostStatus } | null = null;
  /** This month's spend of the other workstations (the monthly budget is global). */
  private othersMonthUsd = 0;
  /** What the watched workstation keeps in AWS, from the last look (when it came to rest). */
  private stillCosting: { name: string; value: StillCosting | null } | null = null;
  private keptLookups = 0;
  private keptLookup: Promise<void> | null = null;
  /** The watchdog's last answer for the current run, and when it was asked. */
  private idle: { run: string | null; status: IdleStatus | null; probedAt: number } | null = null;
  private idleProbe: Promise<void> | null = null;
  /** The reminder the popover offers Stop now / Snooze for. */
  private open: OpenReminder | null = null;
  /** Cost updates and reminder-state changes, one at a time (each reads and writes the reminder file). */
  private chain: Promise<void> = Promise.resolve();
  private assessQueued = false;
  private unwatchHome: () => void = () => undefined;

  /** Fires with the popover's new view after every change. */
  readonly onDidChangeView = this.viewChanged.event;
  /** Fires with the tray's new model after every change. */
  readonly onDidChangeTray = this.trayChanged.event;

  constructor(private readonly ports: ControllerPorts) {
    this.core = this.buildCore();
    this.reminders = ports.reminderStore(ports.home);
    this.unsubscribe = this.core.service.onDidChange((snapshot) => this.onSnapshot(snapshot));
  }

  /** Starts watching the current workstation. */
  start(): void {
    // Write the login item again when it is on: the app may have moved or been updated since
    // (a Linux autostart entry names the executable's path).
    if (this.settings().startAtLogin) {
      try {
        if (this.ports.loginItem.renew) this.ports.loginItem.renew();
        else this.ports.loginItem.set(true);
      } catch (error) {
        this.log(`start at login: could not renew the login item: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.watch();
    // A change `rig` made in the shell shows at once, not at the next poll.
    this.unwatchHome = this.core.changes.watch(() => this.homeChanged());
    // Cost grows and reminders come due with time alone: bring both up to date on a timer.
    this.ticker = setInterval(() => {
      if (this.snapshot?.instance) this.assess();
    }, this.ports.tickMs ?? 30_000);
    this.ticker.unref?.();
    this.emit();
  }

  /** Stops polling and timers; leaves every instance as it is. */
  async dispose(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    if (this.notice) clearTimeout(this.notice.timer);
    this.operation?.abort.abort();
    this.unsubscribe();
    this.unwatchHome();
    await this.watcher?.dispose();
    await this.operation?.done;
    await Promise.all([this.chain, this.idleProbe, this.keptLookup]);
  }

  private log(line: string): void {
    this.ports.log?.(line);
  }

  private buildCore(): Core {
    const base = { home: this.ports.home, env: this.ports.env };
    const plain = this.ports.createCore(base);
    const keys = openAccessKeys(this.ports.secretBox, plain.settings.read().encryptedCredentials);
    return keys ? this.ports.createCore({ ...base, credentials: keys }) : plain;
  }

  /** Rebuilds the core after the credentials or profile changed, and watches again. */
  private async rebuild(): Promise<void> {
    this.operation?.abort.abort();
    await this.operation?.done;
    this.unsubscribe();
    await this.watcher?.dispose();
    this.watcher = null;
    this.watched = null;
    this.snapshot = null;
    this.core = this.buildCore();
    this.forgetCost();
    this.unsubscribe = this.core.service.onDidChange((snapshot) => this.onSnapshot(snapshot));
    this.watch();
    this.emit();
  }

  private forgetCost(): void {
    this.cost = null;
    this.stillCosting = null;
    this.idle = null;
    this.open = null;
  }

  private settings(): Settings {
    return this.core.settings.read();
  }

  /** Watches the current workstation (switching when it changed). */
  private watch(): void {
    const name = currentWorkstation(this.settings());
    if (name === this.watched) return;
    const old = this.watcher;
    void old?.dispose();
    this.watcher = null;
    this.watched = name;
    this.snapshot = null;
    this.operationError = null;
    this.forgetCost();
    if (name === null) return;
    this.watcher = new Watcher(this.core.service, this.core.clock, name);
    this.watcher.start();
  }

  /** The snapshot as shown: with the last failed operation's error when the snapshot has none. */
  private effective(): Snapshot | null {
    const snapshot = this.snapshot;
    if (!snapshot) return null;
    const error = shownError(snapshot.error) ?? this.operationError;
    return error === snapshot.error ? snapshot : { ...snapshot, error };
  }

  /** Applies a change, then raises the notification the change calls for and emits the views. */
  private update(change: () => void): void {
    const before = this.effective();
    change();
    const after = this.effective();
    if (after) {
      const notification = notificationPolicy(before, after, this.core.clock.now(), this.settings(), { hourlyUsd: this.hourlyUsd() });
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
    if (snapshot.name !== this.watched) return;
    const previous = this.snapshot?.phase ?? null;
    this.update(() => {
      if (this.snapshot && this.snapshot.phase !== snapshot.phase && this.operation === null) this.operationError = null;
      this.snapshot = snapshot;
      if (!showsStillCosting(snapshot)) this.stillCosting = null;
    });
    if (keptResourcesDue(previous, snapshot.phase)) this.lookUpStillCosting();
    this.assess();
  }

  /** The watched workstation's cost facts as the pure models take them. */
  private costFacts(): CostFacts {
    const cost = this.cost !== null && this.cost.name === this.watched ? this.cost.status : null;
    return {
      hourlyUsd: cost?.hourlyUsd ?? null,
      priceSource: cost?.priceSource ?? null,
      market: cost?.market ?? null,
      sessionUsd: cost === null ? null : cost.sessionUsd,
      monthUsd: cost?.monthUsd ?? null,
      monthComplete: cost?.monthComplete ?? true,
      stillCosting: this.stillCosting !== null && this.stillCosting.name === this.watched ? this.stillCosting.value : null,
      idle: this.snapshot ? this.idleOf(this.snapshot) : null,
    };
  }

  private hourlyUsd(): number | null {
    return this.cost !== null && this.cost.name === this.watched ? this.cost.status.hourlyUsd : null;
  }

  private idleOf(snapshot: Snapshot): IdleStatus | null {
    return this.idle !== null && this.idle.run === runKey(snapshot) ? this.idle.status : null;
  }

  /** Runs `work` after every cost update and reminder-state change queued before it. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(() => undefined, () => undefined);
    return result;
  }

  /**
   * Brings cost and reminders up to date for the latest snapshot: the cost meter folds it into the
   * run history (writing only when needed), the reminder policy decides what to show, a budget cap
   * may stop the instance, and the watchdog may be asked whether the machine is idle. Requests made
   * while one is queued are merged into it.
   */
  private assess(): void {
    if (this.assessQueued) return;
    this.assessQueued = true;
    this.serial(async () => {
      this.assessQueued = false;
      await this.assessNow();
    }).catch((error: unknown) => {
      this.log(`cost update failed: ${toErrorInfo(error).message}`);
      this.emit();
    });
  }

  private async assessNow(): Promise<void> {
    const core = this.core;
    const name = this.watched;
    const snapshot = this.snapshot;
    if (name === null || snapshot === null || snapshot.name !== name) return;
    const spec = core.service.spec(name);
    const now = core.clock.now();
    const status = await core.costs.observe(spec, snapshot.instance, now);
    // Every workstation's month from the run histories alone (no AWS call): the budget is global.
    const month = await core.costs.report([], new Map(), now);
    if (core !== this.core || name !== this.watched) return;
    this.cost = { name, status };
    this.othersMonthUsd = month.workstations.filter((w) => w.name !== name).reduce((sum, w) => sum + w.monthUsd, 0);
    await this.remind(snapshot, status, now);
    this.probeIdle(snapshot, now);
    this.emit();
  }

  private async remind(snapshot: Snapshot, status: CostStatus, now: number): Promise<void> {
    const state = await this.reminders.read();
    const decision = evaluateReminders(state, reminderInputOf({
      snapshot,
      cost: status,
      othersMonthUsd: this.othersMonthUsd,
      idle: this.idleOf(snapshot),
      settings: this.settings().reminders,
      now,
      localOffsetMinutes: this.ports.localOffsetMinutes ?? ((ms) => -new Date(ms).getTimezoneOffset()),
    }));
    if (JSON.stringify(decision.state) !== JSON.stringify(state)) {
      // Showing matters more than remembering: a failed write at worst repeats it after a restart.
      await this.reminders.write(decision.state).catch((error: unknown) => this.log(`could not save reminders: ${toErrorInfo(error).message}`));
    }
    this.open = pendingReminder(this.open, decision.reminders, this.snapshot, now);
    const run = runKey(snapshot);
    for (const reminder of decision.reminders) this.notify(reminderNotification(reminder), { reminder, run });
    if (budgetStopDue(decision.reminders, this.effective()) && this.operation?.kind !== 'stop') {
      this.log(`budget reached: stopping ${snapshot.name}`);
      this.stopWorkstation();
    }
  }

  /** Where ssh reaches the instance of this snapshot, without asking AWS again. */
  private sshTargetOf(snapshot: Snapshot): SshTarget | null {
    if (snapshot.instance?.state !== 'running') return null;
    const spec = this.core.service.spec(snapshot.name);
    const keys = this.core.keys;
    return sshTargetOf(spec, snapshot.instance, keys.pathOf(resourceName(spec.name)), keys.knownHostsPathOf(spec.name));
  }

  /** Asks the instance's watchdog (over ssh) since when it has been idle, when that is due. */
  private probeIdle(snapshot: Snapshot, now: number): void {
    const core = this.core;
    const run = runKey(snapshot);
    if (this.idle !== null && this.idle.run !== run) this.idle = null;
    const enabled = core.service.spec(snapshot.name).autoStop.enabled;
    if (this.idleProbe !== null || !idleProbeDue(snapshot, enabled, this.idle?.probedAt ?? null, now)) return;
    const target = this.sshTargetOf(snapshot);
    if (target === null) return;
    this.idle = { run, status: this.idle?.status ?? null, probedAt: now };
    this.idleProbe = core.ssh.exec(target, idleStatusCommand(), 10_000).then(
      (result) => {
        if (core !== this.core || this.idle?.run !== run) return;
        if (result.code !== 0) {
          this.log(`idle check failed: exit ${result.code}`);
          return;
        }
        this.idle = { run, status: parseIdleStatus(result.stdout, core.clock.now()), probedAt: now };
        this.assess();
      },
      (error: unknown) => this.log(`idle check failed: ${toErrorInfo(error).message}`),
    ).finally(() => {
      this.idleProbe = null;
    });
  }

  /** Looks up what the workstation keeps in AWS (the "still costing you" list). */
  private lookUpStillCosting(): void {
    const core = this.core;
    const name = this.watched;
    const snapshot = this.snapshot;
    if (name === null || snapshot === null || !showsStillCosting(snapshot)) return;
    const lookup = ++this.keptLookups;
    let spec;
    try {
      spec = core.service.spec(name);
    } catch {
      return;
    }
    this.keptLookup = core.costs.report([spec], new Map([[name, snapshot.instance]]), core.clock.now()).then(
      (report) => {
        if (lookup !== this.keptLookups || core !== this.core || name !== this.watched) return;
        this.stillCosting = { name, value: report.workstations.find((w) => w.name === name)?.stillCosting ?? null };
        this.emit();
      },
      (error: unknown) => this.log(`could not list what ${name} keeps in AWS: ${toErrorInfo(error).message}`),
    );
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
    if (this.notice) clearTimeout(this.notice.timer);
    const timer = setTimeout(() => {
      this.notice = null;
      this.emit();
    }, this.ports.noticeMs ?? 4_000);
    timer.unref?.();
    this.notice = { text, timer };
    this.emit();
  }

  /** The popover's view now. */
  view(): AppView {
    return appView(this.effective(), this.settings(), this.core.clock.now(), this.costFacts(), this.notice?.text ?? null, this.open?.reminder ?? null);
  }

  /** The tray now. */
  tray(): TrayModel {
    return trayModel(this.effective(), this.settings(), this.core.clock.now(), this.costFacts());
  }

  /** What to ask before quitting, or null to quit at once. */
  quitPrompt(): QuitPrompt | null {
    return quitPrompt(this.effective(), this.hourlyUsd());
  }

  /** The popover was opened: look again, and bring cost (and, when stopped, what is kept) up to date. */
  popoverShown(): void {
    this.refreshNow();
    this.assess();
    this.lookUpStillCosting();
  }

  /** `rig` changed something: read the settings again (which workstation), ask EC2 now, update cost and reminders. */
  private homeChanged(): void {
    this.watch();
    this.refreshNow();
    this.assess();
    this.emit();
  }

  /** Refreshes now (resume from sleep, network back, popover opened). */
  refreshNow(): void {
    this.watcher?.refreshNow();
  }

  private requireName(): string {
    if (this.watched === null) {
      throw new CloudRigError('NoWorkstation', 'No workstation is set up yet.', 'Fill in the setup form and press Create workstation.');
    }
    return this.watched;
  }

  /**
   * Runs a lifecycle operation in the background; its progress arrives as snapshots. A new
   * operation aborts the waiting of the one before (Stop during a Start's wait for ssh).
   */
  private run(kind: Operation['kind'], work: (signal: AbortSignal) => Promise<unknown>): void {
    const previous = this.operation;
    previous?.abort.abort();
    const abort = new AbortController();
    this.update(() => {
      this.operationError = null;
    });
    const done = (async () => {
      await previous?.done;
      try {
        await work(abort.signal);
      } catch (error) {
        if (!abort.signal.aborted) {
          this.log(`${kind} failed: ${toErrorInfo(error).code}`);
          this.update(() => {
            this.operationError = toErrorInfo(error);
          });
        }
      } finally {
        if (this.operation?.abort === abort) this.operation = null;
        this.watcher?.refreshNow();
      }
    })();
    this.operation = { kind, abort, done };
  }

  /** Starts the stopped instance or launches one; returns at once, progress comes as views. */
  startWorkstation(): AppView {
    const name = this.requireName();
    this.run('up', (signal) => this.core.service.up(name, { signal }));
    return this.view();
  }

  /** Stops the instance; returns at once. */
  stopWorkstation(): AppView {
    const name = this.requireName();
    this.open = null;
    this.run('stop', (signal) => this.core.service.stop(name, { signal }));
    return this.view();
  }

  /**
   * Snooze: reminders (after N hours, daily, idle) wait an hour, and so does the instance's idle
   * auto-stop — the keep-alive file is written over ssh. Reminders are snoozed even when the
   * instance cannot be reached; the error then says the auto-stop may still act.
   */
  async snooze(): Promise<void> {
    const name = this.requireName();
    const core = this.core;
    const now = core.clock.now();
    await this.serial(async () => this.reminders.write(snoozeReminders(await this.reminders.read(), now)));
    this.open = null;
    this.emit();
    const snapshot = this.snapshot;
    const target = snapshot === null ? null : this.sshTargetOf(snapshot);
    if (target === null) {
      this.setNotice(`Reminders snoozed for ${SNOOZE_HOURS} h`);
      return;
    }
    const command = snoozeCommand(SNOOZE_HOURS, Math.floor(now / 1000), this.ports.env.CLOUDRIG_KEEPALIVE_FILE || undefined);
    const refused = (why: string): CloudRigError => new CloudRigError('SnoozeFailed',
      `Reminders are snoozed for ${SNOOZE_HOURS} h, but ${name} did not take the snooze: ${why}.`,
      'Its idle auto-stop may still stop it. Check that Open terminal works, then snooze again.');
    const result = await core.ssh.exec(target, command, 15_000).catch((error: unknown) => {
      throw refused(toErrorInfo(error).message);
    });
    if (result.code !== 0) throw refused(result.stderr.trim() || `exit ${result.code}`);
    if (snapshot !== null && this.idle !== null && this.idle.run === runKey(snapshot)) {
      this.idle = { ...this.idle, status: { idleSince: null, keptAwakeUntil: now + SNOOZE_HOURS * 3_600_000 } };
    }
    this.setNotice(`Snoozed for ${SNOOZE_HOURS} h: no reminders, and ${name} stays up`);
  }

  /** The popover's answer to the open reminder: Stop now, Snooze, or just dismiss it. */
  async answerReminder(action: 'stop' | 'snooze' | 'dismiss'): Promise<AppView> {
    if (action === 'stop') return this.stopWorkstation();
    if (action === 'snooze') await this.snooze();
    this.open = null;
    this.emit();
    return this.view();
  }

  /** Terminates the instance (saving an image first when asked); returns at once. */
  terminateWorkstation(saveImage: boolean): AppView {
    const name = this.requireName();
    this.run('down', (signal) => this.core.service.down(name, { saveImage, signal }));
    return this.view();
  }

  /** Waits for the operation under way, if any (tests and quit). */
  async settled(): Promise<void> {
    while (this.operation) await this.operation.done;
  }

  copySshCommand(): { copied: string } {
    const snapshot = this.effective();
    if (!snapshot || !canCopySsh(snapshot) || snapshot.sshCommand === null) {
      throw new CloudRigError('NotRunning', 'There is no ssh command while the workstation is not running.', 'Start it first.');
    }
    this.ports.clipboard.writeText(snapshot.sshCommand);
    this.setNotice('Copied the ssh command');
    return { copied: snapshot.sshCommand };
  }

  async openTerminal(): Promise<{ terminal: string }> {
    const name = this.requireName();
    const target = await this.core.service.sshTarget(name);
    const app = await this.ports.terminal.open(displayedSshArgv(name, target, this.settings().sshConfigInstalled), { preferred: this.settings().terminal, title: `CloudRig: ${name}` });
    this.setNotice(`Opened ${app.label}`);
    return { terminal: app.label };
  }

  async saveWorkstation(form: WorkstationForm): Promise<AppView> {
    const settings = this.settings();
    const editing = this.watched === null ? undefined : settings.workstations[this.watched];
    const hasInstance = this.snapshot?.instance != null;
    const input = specFromForm(form, editing ?? settings.workstations[form.name] ?? null, hasInstance && editing !== undefined);
    await this.core.service.init(input);
    this.core.settings.update((current) => ({ ...current, current: input.name }));
    this.watch();
    this.watcher?.refreshNow();
    this.setNotice(`Saved ${input.name}`);
    return this.view();
  }

  private async terminalOptions() {
    const installed = await this.ports.terminal.installed().catch(() => new Set<string>());
    return terminalOptions(terminalPlatform(this.ports.platform), installed);
  }

  async getSettings(): Promise<SettingsView> {
    const [profiles, terminals] = await Promise.all([this.ports.profiles().catch(() => []), this.terminalOptions()]);
    const settings = this.settings();
    return settingsView(settings, {
      current: currentWorkstation(settings),
      profiles,
      keyStorage: this.ports.secretBox.availability(),
      terminals,
      hasInstance: this.snapshot?.instance != null,
    });
  }

  async updateSettings(change: { profile?: string | null; terminal?: string | null; startAtLogin?: boolean; reminders?: Reminders }): Promise<SettingsView> {
    if (change.terminal != null && !TERMINALS[terminalPlatform(this.ports.platform)].some((app) => app.id === change.terminal)) {
      throw new CloudRigError('InvalidInput', `"${change.terminal}" is not a terminal CloudRig can open here.`, 'Pick one from the list.');
    }
    const before = this.settings();
    const profile = change.profile === '' ? null : change.profile;
    const after = this.core.settings.update((current) => ({
      ...current,
      ...(profile !== undefined ? { profile } : {}),
      ...(change.terminal !== undefined ? { terminal: change.terminal } : {}),
      ...(change.startAtLogin !== undefined ? { startAtLogin: change.startAtLogin } : {}),
      ...(change.reminders !== undefined ? { reminders: change.reminders } : {}),
    }));
    if (after.startAtLogin !== before.startAtLogin) this.ports.loginItem.set(after.startAtLogin);
    if (after.profile !== before.profile) await this.rebuild();
    else if (change.reminders !== undefined) this.assess();
    else this.emit();
    return this.getSettings();
  }

  async saveAccessKeys(keys: AccessKeys): Promise<SettingsView> {
    const sealed = sealAccessKeys(this.ports.secretBox, keys);
    this.core.settings.update((current) => ({ ...current, encryptedCredentials: sealed }));
    await this.rebuild();
    this.setNotice('Access keys saved, encrypted by the system keychain');
    return this.getSettings();
  }

  async clearAccessKeys(): Promise<SettingsView> {
    this.core.settings.update((current) => ({ ...current, encryptedCredentials: null }));
    await this.rebuild();
    return this.getSettings();
  }

  async listInstanceTypes(region: string): Promise<InstanceTypeOption[]> {
    validateRegion(region, 'Region');
    const types = await this.ports.account.gpuTypes(this.core.access, region);
    const prices = this.core.prices;
    const hourly: (number | null)[] = types.map(() => null);
    // A few at a time: the Pricing API throttles bursts (answers are cached for a day).
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < types.length; index = next++) {
        const type = types[index];
        if (type) hourly[index] = await prices.onDemandHourly(region, type.instanceType).then((price) => price?.usd ?? null, () => null);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    return types.map((type, index) => ({ ...type, hourlyUsd: hourly[index] ?? null }));
  }

  runChecks(target: CheckTarget): Promise<CheckReport> {
    validateRegion(target.region, 'Region');
    return this.ports.account.checks(this.core.access, target);
  }

  async requestQuota(request: { region: string; quotaCode: string; desired: number }): Promise<QuotaRequestResult> {
    validateRegion(request.region, 'Region');
    const result = await this.ports.account.requestQuota(this.core.access, request.region, request.quotaCode, request.desired);
    this.setNotice(`Requested ${result.desired} vCPUs (${result.status.toLowerCase()})`);
    return result;
  }

  async openLink(target: Parameters<typeof linkUrl>[0], region: string): Promise<null> {
    const url = linkUrl(target, region);
    if (!isAllowedExternal(url)) throw new CloudRigError('LinkRefused', 'CloudRig does not open that address.', 'Open it in your browser yourself.');
    // electronegativity OPEN_EXTERNAL_JS_CHECK: the URL is built by linkUrl() from a fixed target
    // list and checked against the allowlist above; ports.openExternal is openExternalAllowlisted.
    await this.ports.openExternal(url);
    return null;
  }

  private onNotificationClick(notification: NotificationModel): void {
    if (notification.action === 'open-terminal') {
      this.openTerminal().catch((error: unknown) => this.update(() => {
        this.operationError = toErrorInfo(error);
      }));
    } else {
      // A reminder's Stop now / Snooze choices are on the popover's main screen (the view carries them).
      this.ports.popover.show('main');
    }
  }

  /** A reminder's notification button (macOS): Stop now or Snooze, if its run is still going. */
  private onNotificationButton(button: NotificationButton['id'], reminder: OpenReminder | null): void {
    const report = (error: unknown): void => this.update(() => {
      this.operationError = toErrorInfo(error);
    });
    if (!reminderApplies(reminder, this.snapshot, this.core.clock.now())) {
      this.setNotice('That reminder was about a run that has ended');
      return;
    }
    try {
      if (button === 'stop') this.stopWorkstation();
      else this.snooze().catch(report);
    } catch (error) {
      report(error);
    }
  }

  /** Runs a tray menu action (Quit is the shell's: it may need to ask first). */
  trayAction(action: Exclude<TrayAction, 'quit'>): void {
    const report = (error: unknown): void => this.update(() => {
      this.operationError = toErrorInfo(error);
    });
    try {
      switch (action) {
        case 'start':
          this.startWorkstation();
          break;
        case 'stop':
          this.stopWorkstation();
          break;
        case 'copy-ssh':
          this.copySshCommand();
          break;
        case 'open-terminal':
          this.openTerminal().catch(report);
          break;
        case 'save-and-terminate':
          this.ports.popover.show('confirm-save-and-terminate');
          break;
        case 'terminate':
          this.ports.popover.show('confirm-terminate');
          break;
        case 'show-popover':
          this.ports.popover.show('main');
          break;
        case 'settings':
          this.ports.popover.show('settings');
          break;
        case 'toggle-start-at-login':
          this.updateSettings({ startAtLogin: !this.settings().startAtLogin }).catch(report);
          break;
      }
    } catch (error) {
      report(error);
    }
  }

  /** The IPC handlers: one per contract channel, each a thin call into this controller. */
  handlers(): Handlers {
    return {
      'view:get': () => this.view(),
      'workstation:save': (form) => this.saveWorkstation(form),
      'workstation:start': () => this.startWorkstation(),
      'workstation:stop': () => this.stopWorkstation(),
      'workstation:terminate': ({ saveImage }) => this.terminateWorkstation(saveImage),
      'workstation:refresh': () => {
        this.popoverShown();
        return this.view();
      },
      'ssh:copy': () => this.copySshCommand(),
      'terminal:open': () => this.openTerminal(),
      'settings:get': () => this.getSettings(),
      'settings:update': (change) => this.updateSettings(change),
      'credentials:save': (keys) => this.saveAccessKeys(keys),
      'credentials:clear': () => this.clearAccessKeys(),
      'catalog:list': ({ region }) => this.listInstanceTypes(region),
      'checks:run': (target) => this.runChecks(target),
      'quota:request': (request) => this.requestQuota(request),
      'link:open': ({ target, region }) => this.openLink(target, region),
      'window:hide': () => {
        this.ports.popover.hide();
        return null;
      },
      'reminder:answer': ({ action }) => this.answerReminder(action),
    };
  }
}
