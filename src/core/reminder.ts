// What a reminder is, apart from when one is due (reminder-policy.ts decides that; archive-reminders.ts
// makes the archive ones): the policies share the shape without importing each other.

/** The buttons a reminder offers (macOS actions; elsewhere the popover shows them). */
export type ReminderAction = 'stop' | 'snooze' | 'archive';

/** What triggered a reminder. */
export type ReminderKind = 'running' | 'daily' | 'idle' | 'budget' | 'stopped';

/** A reminder to show as a notification. */
export interface Reminder {
  /** Stable for what it is about; use it as the notification id. */
  readonly id: string;
  readonly kind: ReminderKind;
  readonly workstation: string;
  readonly title: string;
  readonly body: string;
  readonly actions: readonly ReminderAction[];
  /** The caller must stop the workstation now: a budget cap with auto-stop was reached. */
  readonly autoStop: boolean;
  /** The caller must archive the workstation now: automatic archive is on and its notice was shown a day ago. */
  readonly autoArchive?: boolean;
}
