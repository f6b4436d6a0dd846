// The tray app's notifications: each shown once (per key), a click opens what it is about, and a
// reminder's buttons (macOS) answer that reminder. Which notification a change calls for is decided
// by the pure policies in core (notification-policy, the reminders); this part only shows them.
import type { OpenReminder } from '../cost-watch.js';
import type { NotificationButton, NotificationModel } from '../notification-policy.js';
import type { Notifier, PopoverPort } from './shell-ports.js';

/** What a click or a button on a notification asks the session to do. */
export interface NotificationAnswers {
  /** The notification's click asked for a terminal on the shown workstation. */
  openTerminal(): void;
  /** A reminder's Stop now or Snooze button, for the workstation the reminder is about. */
  answerReminder(button: NotificationButton['id'], reminder: OpenReminder | null): void;
}

export class SessionNotifications {
  /** The keys already shown: a notification shows once. */
  private readonly shown = new Set<string>();

  constructor(
    private readonly notifier: Notifier,
    private readonly popover: PopoverPort,
    private readonly answers: NotificationAnswers,
  ) {}

  /** Shows a notification once per key; a reminder's buttons answer that reminder. */
  notify(notification: NotificationModel, reminder: OpenReminder | null): void {
    if (this.shown.has(notification.key)) return;
    this.shown.add(notification.key);
    this.notifier.show(
      notification,
      () => this.onClick(notification),
      (button) => this.answers.answerReminder(button, reminder),
    );
  }

  private onClick(notification: NotificationModel): void {
    if (notification.action === 'open-terminal') this.answers.openTerminal();
    // A reminder's Stop now / Snooze choices are on the popover's main screen (the view carries them).
    else this.popover.show('main');
  }
}
