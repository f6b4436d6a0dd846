import { printable } from '../shared/untrusted-text.js';
import type { TrayMenuItem, TrayModel } from './tray-model.js';

/**
 * How often the app asks the feed for a newer version, besides once at start: a tray app runs for
 * days, so a release reaches it within a working day; a check is one small request (the
 * latest*.yml), and six a day per install stays far below what GitHub allows an address.
 */
export const UPDATE_CHECK_INTERVAL_MS = 4 * 3_600_000;

/** A lifecycle operation the app runs on a workstation (the app-layer operation kinds). */
export interface OperationUnderWay {
  readonly workstation: string;
  readonly kind: 'up' | 'stop' | 'down';
}

const UNDER_WAY: Readonly<Record<OperationUnderWay['kind'], string>> = {
  up: 'starting',
  stop: 'stopping',
  down: 'terminating',
};

/** A version as the feed spelled it, fit for a menu label (semver, so letters, digits, dots and dashes). */
function versionText(version: string): string {
  return printable(version.replace(/^v/i, ''));
}

/**
 * Whether "Restart to update" may restart now: never while an operation runs, since a restart in
 * the middle of one (a save image awaiting its terminate, a launch awaiting ssh) leaves it half done.
 */
export function updateBlocker(downloaded: string | null, underWay: OperationUnderWay | null): 'nothing-downloaded' | 'operation-under-way' | null {
  if (downloaded === null) return 'nothing-downloaded';
  return underWay === null ? null : 'operation-under-way';
}

/**
 * The tray's update item: none until an update is downloaded and verified; then "Restart to update
 * to X", greyed out and saying what it waits for while an operation runs (the user restarts once it
 * ends, nothing restarts by itself).
 */
export function updateMenuItem(downloaded: string | null, underWay: OperationUnderWay | null): TrayMenuItem | null {
  if (downloaded === null) return null;
  const label = `Restart to update to ${versionText(downloaded)}`;
  if (underWay === null) return { kind: 'action', action: 'restart-to-update', label, enabled: true };
  return { kind: 'action', action: 'restart-to-update', label: `${label} (after ${printable(underWay.workstation)} finishes ${UNDER_WAY[underWay.kind]})`, enabled: false };
}

/** The tray model with the update item just above Quit, when there is one. */
export function withUpdateItem(model: TrayModel, downloaded: string | null, underWay: OperationUnderWay | null): TrayModel {
  const item = updateMenuItem(downloaded, underWay);
  if (item === null) return model;
  const quit = model.menu.findIndex((entry) => entry.kind === 'action' && entry.action === 'quit');
  const at = quit === -1 ? model.menu.length : quit;
  return { ...model, menu: [...model.menu.slice(0, at), item, ...model.menu.slice(at)] };
}
