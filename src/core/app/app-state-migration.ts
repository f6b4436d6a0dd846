import { AppStateSchema } from '../../shared/app-state.js';
import { legacyAppFields, withoutLegacyAppFields } from '../../shared/settings.js';
import { toErrorInfo } from '../errors.js';
import type { SettingsStore } from '../ports.js';
import type { AppStateStore } from './shell-ports.js';

/**
 * Moves what earlier versions of the app kept in the settings file shared with `rig` (the sealed
 * keys, start at login) into the app's own store, once. The store is written first (the values
 * and the `copied` mark in one atomic write), the old copies are removed after; a start that finds
 * `copied` (the removal failed, or the app died before it) only removes them. So the keys are in
 * one place or both, never in neither, and once `done` a file an older version wrote is left alone.
 * A failure is logged and the move tried again at the next start; the app runs meanwhile.
 */
export function moveLegacyAppState(settings: SettingsStore, appState: AppStateStore, log: (line: string) => void): void {
  try {
    if (appState.read().homeMigration === 'done') return;
    if (appState.read().homeMigration === 'pending') {
      const legacy = legacyAppFields(settings.read());
      const sealed = AppStateSchema.shape.sealedCredentials.safeParse(legacy.encryptedCredentials ?? null);
      if (!sealed.success) log('app state: the sealed access keys in settings.json are not readable; they must be typed again');
      appState.update((state) => ({
        ...state,
        ...(sealed.success && sealed.data !== null ? { sealedCredentials: sealed.data } : {}),
        ...(legacy.startAtLogin !== undefined ? { startAtLogin: legacy.startAtLogin } : {}),
        homeMigration: 'copied',
      }));
    }
    if (Object.keys(legacyAppFields(settings.read())).length > 0) settings.update(withoutLegacyAppFields);
    appState.update((state) => ({ ...state, homeMigration: 'done' }));
  } catch (error) {
    log(`app state: moving the app's fields out of settings.json did not finish (${toErrorInfo(error).message}); tried again at the next start`);
  }
}
