import { Notification } from 'electron';
import type { ForgottenAction, ForgottenNotice, NotificationButton, NotificationModel, Notifier } from '../core/app/app-face.js';

/** Windows keeps up to 20 of an app's notifications in the Action Center, dropping the oldest. */
const ACTION_CENTER_KEEPS = 20;

/** Kinds that need the user: they make a sound; the rest is for information. */
const AUDIBLE: ReadonlySet<NotificationModel['kind']> = new Set(['ready', 'error', 'reminder']);

/**
 * Native notifications, each kept referenced until the user acts on it or it is gone: the OS's
 * toast links only weakly to the Notification object, so a collected one takes its click and
 * buttons with it. On Windows 'close' with reason 'timedOut' only moves the toast to the Action
 * Center, where it is still clicked later (desktop.ts, closeOnTimeout): those are kept until
 * clicked, dismissed or pushed out by newer ones, as the Action Center does. A model's
 * buttons become notification actions where the OS shows them: macOS (a signed app whose
 * Info.plist asks for alert style) and Windows toasts, which in Electron 41 emit `action` with
 * `actionIndex` (docs/api/notification.md, "Event: 'action' macOS Windows"). Linux's libnotify
 * gets no buttons from Electron; there, as everywhere, clicking the notification opens the
 * popover at the same choices.
 */
export class ElectronNotifier implements Notifier {
  private readonly live = new Set<Notification>();

  constructor(
    private readonly buttons: boolean,
    private readonly closeOnTimeout = false,
  ) {}

  show(model: NotificationModel, onClick: () => void, onButton?: (button: NotificationButton['id']) => void): void {
    this.present(model.title, model.body, !AUDIBLE.has(model.kind), model.buttons.map((button) => button.label), onClick, (index) => {
      const button = model.buttons[index];
      if (button) onButton?.(button.id);
    });
  }

  /**
   * A forgotten instance: "Show in AWS console" and "Don't tell me about this one again" as
   * buttons where the OS shows them; a click shows it in the console (the popover's Elsewhere
   * list offers both everywhere).
   */
  showForgotten(notice: ForgottenNotice, onAction: (action: ForgottenAction) => void): void {
    this.present(notice.title, notice.body, false, notice.actions.map((action) => action.label), () => onAction('show-in-console'), (index) => {
      const action = notice.actions[index];
      if (action) onAction(action.action);
    });
  }

  private present(title: string, body: string, silent: boolean, buttons: readonly string[], onClick: () => void, onButton: (index: number) => void): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({
      title,
      body,
      silent,
      actions: this.buttons ? buttons.map((text) => ({ type: 'button' as const, text })) : [],
    });
    const forget = (): void => {
      this.live.delete(notification);
    };
    notification.on('click', () => {
      forget();
      onClick();
    });
    notification.on('action', (event) => {
      forget();
      onButton(event.actionIndex);
    });
    notification.on('close', (details) => {
      // Windows: timed out into the Action Center, still to be clicked; any other close ends it.
      if (!(this.closeOnTimeout && details?.reason === 'timedOut')) forget();
    });
    notification.on('failed', forget);
    this.live.add(notification);
    for (const oldest of this.live) {
      if (this.live.size <= ACTION_CENTER_KEEPS) break;
      this.live.delete(oldest);
    }
    notification.show();
  }
}
