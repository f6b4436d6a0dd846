import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage, type Rectangle } from 'electron';
import { join } from 'node:path';
import { CloudRigError, type TrayAction, type TrayIcon, type TrayMenuItem, type TrayModel } from '../core/app/app-face.js';
import { trayIconFile, traitsOf, type Desktop } from './desktop.js';

const SEPARATOR = ' · ';

/**
 * The tooltip cut to what the OS shows (Windows: 127 characters). Facts are dropped from the
 * middle (rate, uptime, session) so the workstation and phase, the month's cost and any error stay;
 * then the instance type and region go; only then is the text cut, with an ellipsis.
 */
export function fitTooltip(tooltip: string, max: number | null): string {
  if (max === null || tooltip.length <= max) return tooltip;
  const parts = tooltip.split(SEPARATOR);
  while (parts.length > 2 && parts.join(SEPARATOR).length > max) parts.splice(1, 1);
  parts[0] = (parts[0] ?? '').replace(/ \([^)]*\)(?=: )/, '');
  const text = parts.join(SEPARATOR);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The menu template for a tray model: labels and states exactly as trayModel decided. */
export function menuTemplate(items: readonly TrayMenuItem[], onAction: (action: TrayAction, workstation?: string) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'checkbox':
        return { label: item.label, type: 'checkbox', checked: item.checked, click: () => onAction(item.action) };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.action, item.workstation) };
    }
  });
}

/**
 * The tray icon image for a state, in the file each desktop wants (desktop.ts, trayIconFile). A
 * missing file gives an empty image, which the OS shows as nothing at all: the app icon stands
 * in, and when that is missing too the app says it is damaged.
 */
export function trayImage(resources: string, icon: TrayIcon, desktop: Desktop, currentDesktop = ''): NativeImage {
  const file = trayIconFile(desktop, icon, currentDesktop);
  const image = nativeImage.createFromPath(join(resources, 'tray', file));
  if (!image.isEmpty()) {
    if (desktop === 'darwin') image.setTemplateImage(true);
    return image;
  }
  const fallback = nativeImage.createFromPath(join(resources, 'icon.png'));
  if (!fallback.isEmpty()) return fallback.resize({ width: 16, height: 16 });
  throw new CloudRigError('AppDamaged', `CloudRig's tray icons are missing (${join(resources, 'tray')}).`, { action: 'reinstall' });
}

/**
 * The tray: applies tray models; a left click toggles the popover where the tray reports clicks
 * (macOS, Windows), the menu runs actions. On Linux an AppIndicator opens its menu on any click,
 * so the menu is the way in there ("Show CloudRig").
 */
export class TrayView {
  readonly tray: Tray;
  private lastMenu = '';
  private lastIcon: TrayIcon = 'stopped';
  private menu: Menu | null = null;

  constructor(
    private readonly resources: string,
    private readonly desktop: Desktop,
    private readonly onAction: (action: TrayAction, workstation?: string) => void,
    onClick: () => void,
    /** XDG_CURRENT_DESKTOP: which Linux panel draws the icon. */
    private readonly currentDesktop = '',
  ) {
    this.tray = new Tray(trayImage(resources, 'stopped', desktop, currentDesktop));
    this.tray.on('click', onClick);
    // A quick second click is a click too (desktop.ts, trayDoubleClick): macOS can be told so, Windows cannot.
    const doubleClick = traitsOf(desktop).trayDoubleClick;
    if (doubleClick === 'ignore') this.tray.setIgnoreDoubleClickEvents(true);
    if (doubleClick === 'as-click') this.tray.on('double-click', onClick);
    // On macOS a context menu set on the tray would swallow the left click: pop it up on right click.
    if (desktop === 'darwin') this.tray.on('right-click', () => this.menu && this.tray.popUpContextMenu(this.menu));
  }

  apply(model: TrayModel): void {
    if (model.icon !== this.lastIcon) {
      this.lastIcon = model.icon;
      this.tray.setImage(trayImage(this.resources, model.icon, this.desktop, this.currentDesktop));
    }
    this.tray.setToolTip(fitTooltip(model.tooltip, traitsOf(this.desktop).tooltipMax));
    if (this.desktop === 'darwin') this.tray.setTitle(model.title, { fontType: 'monospacedDigit' });
    const menuKey = JSON.stringify(model.menu);
    if (menuKey === this.lastMenu) return;
    this.lastMenu = menuKey;
    this.menu = Menu.buildFromTemplate(menuTemplate(model.menu, this.onAction));
    if (this.desktop !== 'darwin') this.tray.setContextMenu(this.menu);
  }

  bounds(): Rectangle | null {
    return this.tray.getBounds();
  }

  destroy(): void {
    this.tray.destroy();
  }
}
