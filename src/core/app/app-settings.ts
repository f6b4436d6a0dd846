// The app's settings and account screens: terminal, start at login, reminders, the AWS profile or
// typed keys (either rebuilds the façade), instance types, account checks and quota requests.
import type { AccessKeys } from '../../shared/contract.js';
import type { Reminders, Settings } from '../../shared/settings.js';
import type { GpuOffersQuery, GpuOffersView } from '../../shared/gpu-offers.js';
import type { CheckReport, InstanceTypeOption, QuotaRequestResult, SettingsView } from '../../shared/views.js';
import { sealAccessKeys, type SecretBox } from '../credentials.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CheckTarget } from '../first-run-checks.js';
import { currentWorkstation } from '../popover-model.js';
import { settingsView } from '../settings-view.js';
import { TERMINALS, terminalOptions, terminalPlatform } from '../terminal-command.js';
import type { Rig } from './rig.js';
import type { AppStateStore, LoginItem, TerminalPort } from './shell-ports.js';

/** A settings change from the popover. */
export interface SettingsChange {
  readonly profile?: string | null;
  readonly terminal?: string | null;
  readonly startAtLogin?: boolean;
  readonly reminders?: Reminders;
}

/** What the settings part reads from, and asks of, the session that owns it. */
export interface AppSettingsHost {
  /** The use cases, as the session's façade is now (built again when the profile or keys change). */
  rig(): Rig;
  readonly platform: string;
  readonly terminal: TerminalPort;
  readonly secretBox: SecretBox;
  readonly loginItem: LoginItem;
  readonly appState: AppStateStore;
  /** Whether the current workstation has an instance (the form locks what cannot change then). */
  hasInstance(): boolean;
  /** Builds the façade again over another profile or keys, and watches again. */
  rebuild(): Promise<void>;
  /** The reminder settings changed: bring reminders up to date. */
  remindersChanged(): void;
  changed(): void;
  setNotice(text: string): void;
  log(line: string): void;
}

/** The settings screen and the account's use cases, as the app offers them. */
export class AppSettings {
  constructor(private readonly host: AppSettingsHost) {}

  private settings(): Settings {
    return this.host.rig().app.settings();
  }

  /**
   * At start: writes the login item again when it is on (the app may have moved or been updated
   * since). One the user removed outside the app stays removed, and the app's switch follows them.
   */
  renewLoginItem(): void {
    if (!this.host.appState.read().startAtLogin) return;
    // A Linux autostart entry names the executable's path.
    try {
      if (!this.host.loginItem.renew) this.host.loginItem.set(true);
      else if (!this.host.loginItem.renew()) this.host.appState.update((state) => ({ ...state, startAtLogin: false }));
    } catch (error) {
      this.host.log(`start at login: could not renew the login item: ${toErrorInfo(error).message}`);
    }
  }

  private async terminalOptions() {
    const installed = await this.host.terminal.installed().catch(() => new Set<string>());
    return terminalOptions(terminalPlatform(this.host.platform), installed);
  }

  async getSettings(): Promise<SettingsView> {
    const [profiles, terminals] = await Promise.all([this.host.rig().app.profiles().catch(() => []), this.terminalOptions()]);
    const settings = this.settings();
    return settingsView(settings, {
      current: currentWorkstation(settings),
      profiles,
      keyStorage: this.host.secretBox.availability(),
      terminals,
      hasInstance: this.host.hasInstance(),
      unknownFields: this.host.rig().unknownSettingsFields(),
      appState: this.host.appState.read(),
    });
  }

  async updateSettings(change: SettingsChange): Promise<SettingsView> {
    if (change.terminal != null && !TERMINALS[terminalPlatform(this.host.platform)].some((app) => app.id === change.terminal)) {
      throw new CloudRigError('InvalidInput', `"${change.terminal}" is not a terminal CloudRig can open here.`, { action: 'pick-terminal', installed: null });
    }
    const before = this.settings();
    const profile = change.profile === '' ? null : change.profile;
    const after = this.host.rig().app.editSettings({
      ...(profile !== undefined ? { profile } : {}),
      ...(change.terminal !== undefined ? { terminal: change.terminal } : {}),
      ...(change.reminders !== undefined ? { reminders: change.reminders } : {}),
    });
    const startAtLogin = change.startAtLogin;
    if (startAtLogin !== undefined && startAtLogin !== this.host.appState.read().startAtLogin) {
      // Recorded once written: the store says what the app last asked of the system.
      this.host.loginItem.set(startAtLogin);
      this.host.appState.update((state) => ({ ...state, startAtLogin }));
    }
    if (after.profile !== before.profile) await this.host.rebuild();
    else if (change.reminders !== undefined) this.host.remindersChanged();
    else this.host.changed();
    return this.getSettings();
  }

  /** Switch to keys typed into the app (sealed by the secret box). */
  async saveAccessKeys(keys: AccessKeys): Promise<SettingsView> {
    const sealed = sealAccessKeys(this.host.secretBox, keys);
    this.host.appState.update((state) => ({ ...state, sealedCredentials: sealed }));
    await this.host.rebuild();
    this.host.setNotice('Access keys saved, encrypted by the system keychain');
    return this.getSettings();
  }

  async clearAccessKeys(): Promise<SettingsView> {
    this.host.appState.update((state) => ({ ...state, sealedCredentials: null }));
    await this.host.rebuild();
    return this.getSettings();
  }

  /** Flips Start at login. */
  toggleStartAtLogin(): Promise<SettingsView> {
    return this.updateSettings({ startAtLogin: !this.host.appState.read().startAtLogin });
  }

  listInstanceTypes(region: string): Promise<InstanceTypeOption[]> {
    return this.host.rig().account.instanceTypes(region);
  }

  runChecks(target: CheckTarget): Promise<CheckReport> {
    return this.host.rig().account.checks(target);
  }

  async requestQuota(request: { region: string; quotaCode: string; desired: number }): Promise<QuotaRequestResult> {
    const result = await this.host.rig().account.requestQuota(request);
    this.host.setNotice(`Requested ${result.desired} vCPUs (${result.status.toLowerCase()})`);
    return result;
  }

  /** GPU offers for the workstation form's picker (the same use case as `rig gpus`). */
  listGpuOffers(query: GpuOffersQuery): Promise<GpuOffersView> {
    return this.host.rig().account.gpuOffersView(query);
  }
}
