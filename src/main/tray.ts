import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage, type Rectangle } from 'electron';
import { join } from 'node:path';
import type { TrayIcon } from '../core/phase-view.js';
import type { TrayAction, TrayMenuItem, TrayModel } from '../core/tray-model.js';

/** The menu template for a tray model: labels and states exactly as trayModel decided. */
export function menuTemplate(items: readonly TrayMenuItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => onAction(item.action) };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
    }
  });
}

/** The tray icon image for a state: template images on macOS, coloured PNGs elsewhere (@2x picked up by name). */
export function trayImage(resources: string, icon: TrayIcon, platform: NodeJS.Platform): NativeImage {
  const file = platform === 'darwin' ? `${icon}Template.png` : `${icon}.png`;
  const image = nativeImage.createFromPath(join(resources, 'tray', file));
  if (platform === 'darwin') image.setTemplateImage(true);
  return image;
}

/** The tray: applies tray models; left click toggles the popover, the menu runs actions. */
export class TrayView {
  readonly tray: Tray;
  private lastMenu = '';
  private lastIcon: TrayIcon = 'stopped';
  private menu: Menu | null = null;

  constructor(
    private readonly resources: string,
    private readonly platform: NodeJS.Platform,
    private readonly onAction: (action: TrayAction) => void,
    onClick: () => void,
  ) {
    this.tray = new Tray(trayImage(resources, 'stopped', platform));
    this.tray.on('click', onClick);
    // On macOS a context menu set on the tray would swallow the left click: pop it up on right click.
    if (platform === 'darwin') this.tray.on('right-click', () => this.menu && this.tray.popUpContextMenu(this.menu));
  }

  apply(model: TrayModel): void {
    if (model.icon !== this.lastIcon) {
      this.lastIcon = model.icon;
      this.tray.setImage(trayImage(this.resources, model.icon, this.platform));
    }
    this.tray.setToolTip(model.tooltip);
    if (this.platform === 'darwin') this.tray.setTitle(model.title, { fontType: 'monospacedDigit' });
    const menuKey = JSON.stringify(model.menu);
    if (menuKey === this.lastMenu) return;
    this.lastMenu = menuKey;
    this.menu = Menu.buildFromTemplate(menuTemplate(model.menu, this.onAction));
    if (this.platform !== 'darwin') this.tray.setContextMenu(this.menu);
  }

  bounds(): Rectangle | null {
    return this.tray.getBounds();
  }

  destroy(): void {
    this.tray.destroy();
  }
}
