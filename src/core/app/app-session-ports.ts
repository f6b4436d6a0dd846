import type { SecretBox } from '../credentials.js';
import type { OpenUrl } from './app-tunnels.js';
import type { CoreFactory } from './cloudrig-core.js';
import type { AppStateStore, Clipboard, FolderPicker, LoginItem, MemoryPort, Notifier, PopoverPort, TerminalPort } from './shell-ports.js';

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
  /**
   * Gives memory back after the start-up burst and each hourly account sweep (the process's V8);
   * absent, nothing is given back early (the tests' sessions).
   */
  readonly memory?: MemoryPort;
}
