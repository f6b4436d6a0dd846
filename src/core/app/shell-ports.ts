import type { AppState } from '../../shared/app-state.js';
import type { Screen } from '../../shared/views.js';
import type { NotificationButton, NotificationModel } from '../notification-policy.js';
import type { ForgottenAction, ForgottenNotice } from './forgotten-watch.js';

export type { SecretBox } from '../credentials.js';

/**
 * Puts text on the system clipboard. Electron 44+ writes asynchronously (its clipboard follows the
 * W3C Clipboard API): the promise settles when the text is there or the write failed. An in-memory
 * clipboard may return at once.
 */
export interface Clipboard {
  writeText(text: string): Promise<void> | void;
}

/** Opens the system terminal running a command. */
export interface TerminalPort {
  installed(): Promise<Set<string>>;
  open(argv: readonly string[], options: { readonly preferred: string | null; readonly title: string }): Promise<{ readonly label: string }>;
}

/** Shows native notifications; `onButton` runs when one of the notification's buttons is pressed. */
export interface Notifier {
  show(notification: NotificationModel, onClick: () => void, onButton?: (button: NotificationButton['id']) => void): void;
  /** An instance CloudRig did not start is running: its two actions come back through `onAction` (a click shows it in the console). */
  showForgotten?(notice: ForgottenNotice, onAction: (action: ForgottenAction) => void): void;
}

/** Registers the app to start at login. */
export interface LoginItem {
  set(enabled: boolean): void;
  /**
   * Re-registers at start (a moved app) without undoing what the user switched off outside the
   * app; false when the user removed the login item outside the app (it then stays removed).
   */
  renew?(): boolean;
}

/** The popover window, as far as the application drives it. */
export interface PopoverPort {
  show(screen: Screen): void;
  hide(): void;
}

/** The end of a burst of work after which the session has the process give memory back. */
export type BurstEnd = 'account-sweep' | 'first-gpu-reading';

/** What the process can give back once a burst of work is over (adapters/cold-code.ts). */
export interface MemoryPort {
  /** Drops the compiled code of what is not running and returns the freed memory to the system. */
  releaseColdCode(after: BurstEnd): void;
}

/** The system's folder dialog, for the app's push folder. */
export interface FolderPicker {
  /** Lets the user choose one folder; resolves with its absolute path, or null when cancelled. */
  pickFolder(options: { readonly title: string; readonly defaultPath: string | null }): Promise<string | null>;
}

/**
 * The app's own state (sealed keys, start at login, popover bounds, update preferences, dismissed
 * hints): kept by the shell where only the app reads it, never in the home `rig` shares.
 */
export interface AppStateStore {
  /** The state as stored, or the defaults when nothing (usable) is stored yet. */
  read(): AppState;
  /** Writes `change` applied to the current state; throws when it cannot be written. */
  update(change: (state: AppState) => AppState): AppState;
}
