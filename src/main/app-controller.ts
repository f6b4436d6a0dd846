import type { Core, CoreOptions } from '../adapters/compose.js';
import type { AwsAccess } from '../adapters/aws/client-config.js';
import type { GpuInstanceType } from '../adapters/aws/instance-catalog.js';
import type { AccessKeys } from '../shared/contract.js';
import type { Settings } from '../shared/settings.js';
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
import { openAccessKeys, sealAccessKeys, type SecretBox } from '../core/credentials.js';
import { Emitter } from '../core/emitter.js';
import { CloudRigError, toErrorInfo } from '../core/errors.js';
import type { CheckTarget } from '../core/first-run-checks.js';
import { notificationPolicy, type NotificationModel } from '../core/notification-policy.js';
import { canCopySsh } from '../core/phase-view.js';
import { appView, currentWorkstation } from '../core/popover-model.js';
import { hourlyRateOf, type PriceCatalog } from '../core/price-catalog.js';
import { quitPrompt, type QuitPrompt } from '../core/quit-policy.js';
import { settingsView, specFromForm } from '../core/settings-view.js';
import { sshArgs } from '../core/ssh-command.js';
import { TERMINALS, terminalOptions, terminalPlatform } from '../core/terminal-command.js';
import { trayModel, type TrayAction, type TrayModel } from '../core/tray-model.js';
import { validateRegion } from '../core/validate.js';
import { Watcher } from '../core/watcher.js';
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

/** Shows native notifications. */
export interface Notifier {
  show(notification: NotificationModel, onClick: () => void): void;
}

/** Registers the app to start at login. */
export interface LoginItem {
  set(enabled: boolean): void;
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
  /** The price catalog for a core (its credentials); null shows no prices. */
  readonly prices: (core: Core) => PriceCatalog | null;
  /** Profile names from ~/.aws/config and ~/.aws/credentials. */
  readonly profiles: () => Promise<string[]>;
  readonly log?: (line: string) => void;
  /** How often the uptime and cost shown are recomputed while billed. */
  readonly tickMs?: number;
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
  private prices: PriceCatalog | null;
  private unsubscribe: () => void;
  private watcher: Watcher | null = null;
  private watched: string | null = null;
  private snapshot: Snapshot | null = null;
  private operation: Operation | null = null;
  private operationError: ErrorInfo | null = null;
  private rate: { key: string; usd: number | null } | null = null;
  private notice: { text: string; timer: ReturnType<typeof setTimeout> } | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly shown = new Set<string>();
  private readonly viewChanged = new Emitter<AppView>();
  private readonly trayChanged = new Emitter<TrayModel>();

  /** Fires with the popover's new view after every change. */
  readonly onDidChangeView = this.viewChanged.event;
  /** Fires with the tray's new model after every change. */
  readonly onDidChangeTray = this.trayChanged.event;

  constructor(private readonly ports: ControllerPorts) {
    this.core = this.buildCore();
    this.prices = ports.prices(this.core);
    this.unsubscribe = this.core.service.onDidChange((snapshot) => this.onSnapshot(snapshot));
  }

  /** Starts watching the current workstation. */
  start(): void {
    this.watch();
    this.ticker = setInterval(() => {
      if (this.snapshot?.instance) this.emit();
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
    await this.watcher?.dispose();
    await this.operation?.done;
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
    this.prices = this.ports.prices(this.core);
    this.rate = null;
    this.unsubscribe = this.core.service.onDidChange((snapshot) => this.onSnapshot(snapshot));
    this.watch();
    this.emit();
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
      const notification = notificationPolicy(before, after, this.core.clock.now(), this.settings());
      if (notification && !this.shown.has(notification.key)) {
        this.shown.add(notification.key);
        this.ports.notifier.show(notification, () => this.onNotificationClick(notification));
      }
    }
    this.emit();
  }

  private onSnapshot(snapshot: Snapshot): void {
    if (snapshot.name !== this.watched) return;
    this.update(() => {
      if (this.snapshot && this.snapshot.phase !== snapshot.phase && this.operation === null) this.operationError = null;
      this.snapshot = snapshot;
    });
    this.refreshRate(snapshot);
  }

  private refreshRate(snapshot: Snapshot): void {
    const prices = this.prices;
    if (!prices) return;
    const spot = snapshot.instance?.spot ?? this.settings().workstations[snapshot.name]?.spot ?? false;
    const zone = snapshot.instance?.availabilityZone ?? null;
    const key = `${snapshot.region}|${snapshot.instanceType}|${spot}|${zone ?? ''}`;
    if (this.rate?.key === key) return;
    this.rate = { key, usd: null };
    hourlyRateOf(prices, { region: snapshot.region, instanceType: snapshot.instanceType, spot, availabilityZone: zone }).then(
      (rate) => {
        if (this.rate?.key !== key) return;
        this.rate = { key, usd: rate?.usd ?? null };
        this.emit();
      },
      (error: unknown) => this.log(`price lookup failed: ${toErrorInfo(error).message}`),
    );
  }

  private hourlyUsd(): number | null {
    return this.rate?.usd ?? null;
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
    return appView(this.effective(), this.settings(), this.core.clock.now(), { hourlyUsd: this.hourlyUsd() }, this.notice?.text ?? null);
  }

  /** The tray now. */
  tray(): TrayModel {
    return trayModel(this.effective(), this.settings(), this.core.clock.now(), { hourlyUsd: this.hourlyUsd() });
  }

  /** What to ask before quitting, or null to quit at once. */
  quitPrompt(): QuitPrompt | null {
    return quitPrompt(this.effective(), this.hourlyUsd());
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
    this.run('stop', (signal) => this.core.service.stop(name, { signal }));
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
    const app = await this.ports.terminal.open(['ssh', ...sshArgs(target)], { preferred: this.settings().terminal, title: `CloudRig: ${name}` });
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

  async updateSettings(change: { profile?: string | null; terminal?: string | null; startAtLogin?: boolean }): Promise<SettingsView> {
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
    }));
    if (after.startAtLogin !== before.startAtLogin) this.ports.loginItem.set(after.startAtLogin);
    if (after.profile !== before.profile) await this.rebuild();
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
    const prices = this.prices;
    const hourly: (number | null)[] = types.map(() => null);
    if (prices) {
      // A few at a time: the Pricing API throttles bursts (answers are cached for a day).
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let index = next++; index < types.length; index = next++) {
          const type = types[index];
          if (type) hourly[index] = await prices.onDemandHourly(region, type.instanceType).then((price) => price?.usd ?? null, () => null);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    }
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
      this.ports.popover.show('main');
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
        this.refreshNow();
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
    };
  }
}
