import type { Reminders, Settings } from '../../shared/settings.js';
import type { ResizeChoicesView, ResizeOutcomeView, ResizePlanView, ResizePurpose } from '../../shared/resize-view.js';
import type { HomeChange } from '../home-changes.js';
import { archiveNow, type ArchiveResult } from './archive.js';
import { moveLegacyAppState } from './app-state-migration.js';
import { changeType, planTypeChange, resizeChoices, type TypeChangeHost, type TypeChangeRequest } from './change-type.js';
import type { CloudRigCore, Scheduler } from './cloudrig-core.js';
import type { RunOptions } from './lifecycle.js';
import type { AppStateStore } from './shell-ports.js';

/** A change to the settings the app's settings screen edits (the profile, the terminal, the reminders). */
export interface SettingsEdit {
  readonly profile?: string | null;
  readonly terminal?: string | null;
  readonly reminders?: Reminders;
}

/**
 * The use cases only the tray app asks for, beside the ones both faces share: its settings screen,
 * the popover's switcher and Change type…, archiving at once, the watch on
 * what `rig` changes, and the one-time move of the app's own fields out of the shared settings.
 */
export class AppUseCases {
  constructor(private readonly core: CloudRigCore) {}

  /** Runs callbacks later (the notice's timeout, the cost and reminder tick). */
  get scheduler(): Scheduler {
    return this.core.scheduler;
  }

  /** The settings shared with `rig`, as they are now. */
  settings(): Settings {
    return this.core.settings.read();
  }

  /** Writes the settings screen's change; returns the settings after it. */
  editSettings(change: SettingsEdit): Settings {
    return this.core.settings.update((current) => ({
      ...current,
      ...(change.profile !== undefined ? { profile: change.profile } : {}),
      ...(change.terminal !== undefined ? { terminal: change.terminal } : {}),
      ...(change.reminders !== undefined ? { reminders: change.reminders } : {}),
    }));
  }

  /** The popover's switcher: `name` becomes the current workstation, used now. */
  makeCurrent(name: string): void {
    const now = this.core.clock.now();
    this.core.settings.update((current) => ({ ...current, current: name, lastUsed: { ...current.lastUsed, [name]: now } }));
  }

  /** Profile names from ~/.aws/config and ~/.aws/credentials. */
  profiles(): Promise<string[]> {
    return this.core.account.profiles();
  }

  /** Calls `listener` for each change another process (`rig`) announces; returns the unwatch. */
  watchHome(listener: (change: HomeChange) => void): () => void {
    return this.core.changes.watch(listener);
  }

  /** Moves what earlier versions of the app kept in the shared settings into the app's own store, once. */
  moveLegacyAppState(appState: AppStateStore, log: (line: string) => void): void {
    moveLegacyAppState(this.core.settings, appState, log);
  }

  /** The launch this process made of `name`, if any (a fresh instance runs its setup script). */
  lastLaunch(name: string): { readonly instanceId: string; readonly fromSavedImage: boolean } | null {
    return this.core.service.lastLaunch(name);
  }

  /** Archives at once (the popover's Archive, the reminder's): the disk saved as an image, then terminated. */
  archiveNow(name: string, options: RunOptions = {}): Promise<ArchiveResult> {
    return archiveNow(this.core, name, options);
  }

  /** Change type…'s list: types with the same GPU or better in the workstation's region, priced. */
  resizeChoices(name: string, purpose: ResizePurpose): Promise<ResizeChoicesView> {
    return resizeChoices(this.core, name, purpose);
  }

  /** Change type…'s plan for one type, as the popover shows it. */
  planTypeChange(name: string, instanceType: string, skipDriverCheck: boolean): Promise<ResizePlanView> {
    return planTypeChange(this.core, name, instanceType, skipDriverCheck);
  }

  /**
   * Changes the type as `rig resize` does, the popover's way: a running instance is stopped first
   * when asked, as the workstation's operation (`host` runs it and shows its progress).
   */
  changeType(host: Omit<TypeChangeHost, 'core'>, name: string, request: TypeChangeRequest): Promise<ResizeOutcomeView> {
    return changeType({ ...host, core: this.core }, name, request);
  }
}
