import Conf from 'conf';
import { CloudRigError } from '../../core/errors.js';
import type { SettingsStore } from '../../core/ports.js';
import { SettingsSchema, SETTINGS_VERSION, type Settings } from '../../shared/settings.js';
import type { WorkstationSpec } from '../../shared/workstation.js';

/** Brings an older settings object up to the current schema version. */
export function migrateSettings(raw: Record<string, unknown>): Record<string, unknown> {
  const version = typeof raw.schemaVersion === 'number' ? raw.schemaVersion : SETTINGS_VERSION;
  if (version > SETTINGS_VERSION) {
    throw new CloudRigError('SettingsTooNew', `The settings file was written by a newer CloudRig (schema ${version}).`, 'Update CloudRig (the app and rig) to the newest version.');
  }
  // Version 1 is the first; future migrations go here, one step per version.
  return { ...raw, schemaVersion: SETTINGS_VERSION };
}

/**
 * `<home>/settings.json` through conf: written atomically (write-temp-then-rename), mode 0600,
 * validated with the zod schema on every read, and re-read from disk each time so the app and
 * the CLI see each other's changes.
 */
export class ConfSettingsStore implements SettingsStore {
  private readonly conf: Conf<Record<string, unknown>>;

  constructor(readonly home: string) {
    try {
      this.conf = new Conf<Record<string, unknown>>({
        cwd: home,
        configName: 'settings',
        configFileMode: 0o600,
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
      });
    } catch (error) {
      throw this.unreadable(error);
    }
  }

  /** The settings file's path. */
  get path(): string {
    return this.conf.path;
  }

  private unreadable(error: unknown): CloudRigError {
    return new CloudRigError('SettingsUnreadable', `The settings file ${this.home}/settings.json cannot be read: ${(error as Error).message}`,
      'Fix the file by hand, or move it away to start with fresh settings (your instances are found again from AWS).');
  }

  read(): Settings {
    let raw: Record<string, unknown>;
    try {
      raw = this.conf.store;
    } catch (error) {
      throw this.unreadable(error);
    }
    const parsed = SettingsSchema.safeParse(migrateSettings(raw));
    if (!parsed.success) throw this.unreadable(new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    return parsed.data;
  }

  update(change: (settings: Settings) => Settings): Settings {
    const next = SettingsSchema.parse(change(this.read()));
    this.conf.store = next as unknown as Record<string, unknown>;
    return next;
  }

  saveWorkstation(spec: WorkstationSpec): void {
    this.update((settings) => ({
      ...settings,
      current: settings.current ?? spec.name,
      workstations: { ...settings.workstations, [spec.name]: spec },
    }));
  }
}
