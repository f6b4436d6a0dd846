import { Notification } from 'electron';
import type { NotificationButton, NotificationModel } from '../core/notification-policy.js';
import type { Notifier } from '../core/app/shell-ports.js';

/** Kinds that need the user: they make a sound; the rest is for information. */
const AUDIBLE: ReadonlySet<NotificationModel['kind']> = new Set(['ready', 'error', 'reminder']);

/**
 * Native notifications; kept referenced until closed so their handlers survive GC. A model's
 * buttons become notification actions where the OS shows them: macOS (a signed app whose
 * Info.plist asks for alert style) and Windows toasts, which in Electron 41 emit `action` with
 * `actionIndex` (docs/api/notification.md, "Event: 'action' macOS Windows"). Linux's libnotify
 * gets no buttons from Electron; there, as everywhere, clicking the notification opens the
 * popover at the same choices.
 */
export class ElectronNotifier implements Notifier {
  private readonly live = new Set<Notification>();

  constructor(private readonly buttons: boolean) {}

  show(model: NotificationModel, onClick: () => void, onButton?: (button: NotificationButton['id']) => void): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({
      title: model.title,
      body: model.body,
      silent: !AUDIBLE.has(model.kind),
      actions: this.buttons ? model.buttons.map((button) => ({ type: 'button' as const, text: button.label })) : [],
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
      const button = model.buttons[event.actionIndex];
      if (button) onButton?.(button.id);
    });
    notification.on('close', forget);
    this.live.add(notification);
    notification.show();
  }
}
