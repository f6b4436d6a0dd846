/** The commands whose effects another CloudRig process sharing the home should see at once. */
export type ChangeCommand = 'init' | 'up' | 'stop' | 'down' | 'archive' | 'resize' | 'snooze' | 'settings' | 'rm';

/** One announcement: which command changed what, from which process, when. */
export interface HomeChange {
  /** Unique per announcement, so a watcher that hears one write twice acts once. */
  readonly id: string;
  readonly command: ChangeCommand;
  /** The workstation it concerns, when the command named or found one. */
  readonly workstation: string | null;
  /** `running` while the command still works (a phase it passed), `done` when it returned. */
  readonly stage: 'running' | 'done';
  readonly pid: number;
  readonly at: number;
}

/**
 * How a `rig` command tells a running app that state changed, without a network server: the
 * adapter writes a file in the home and the app watches it. The app then asks EC2 at once.
 */
export interface HomeChanges {
  /** Announces a change; never throws (a lost announcement only delays the app to its next poll). */
  announce(change: Omit<HomeChange, 'id' | 'pid' | 'at'>): Promise<void>;
  /** Calls `listener` for each change another process announces; returns a function that stops watching. */
  watch(listener: (change: HomeChange) => void): () => void;
}

/** Whether a command changes state the app shows (reads like `status` do not). */
export function isChangeCommand(name: string): name is ChangeCommand {
  return name === 'init' || name === 'up' || name === 'stop' || name === 'down' || name === 'archive' || name === 'resize' || name === 'snooze' || name === 'settings' || name === 'rm';
}
