import { Notification } from 'electron';
import type { NotificationModel } from '../core/notification-policy.js';
import type { Notifier } from './app-controller.js';

/** Native notifications; kept referenced until closed so their click handlers survive GC. */
export class ElectronNotifier implements Notifier {
  private readonly live = new Set<Notification>();

  show(model: NotificationModel, onClick: () => void): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({
      title: model.title,
      body: model.body,
      // Ready and errors need the user; the rest is for information.
      silent: model.kind !== 'ready' && model.kind !== 'error',
    });
    notification.on('click', () => {
      this.live.delete(notification);
      onClick();
    });
    notification.on('close', () => this.live.delete(notification));
    this.live.add(notification);
    notification.show();
  }
}
