import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import { CloudRigError } from '../../core/errors.js';
import type { SettingsStore } from '../../core/ports.js';
import { SettingsSchema, SETTINGS_VERSION, type Settings } from '../../shared/settings.js';
import type { WorkstationSpec } from '../../shared/workstation.js';
import { withFileLockSync } from './file-locks.js';
import { ensureHome } from './home.js';
import { fieldPath, likelyMeant, strayFields, withStrayFields, type StrayField } from './settings-fields.js';

/** The first line of an error's message: library messages can span several. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}

/** Brings an older settings object up to the current schema version. */
export function migrateSettings(raw: Record<string, unknown>): Record<string, unknown> {
  const version = typeof raw.schemaVersion === 'number' ? raw.schemaVersion : SETTINGS_VERSION;
  if (version > SETTINGS_VERSION) {
    throw new CloudRigError('SettingsTooNew', `The settings file was written by a newer CloudRig (schema ${version}).`, { action: 'update-cloudrig' });
  }
  // Version 1 is the first; future migrations go here, one step per version.
  return { ...raw, schemaVersion: SETTINGS_VERSION };
}

/**
 * `<home>/settings.json` through conf: written atomically (write-temp-then-rename), mode 0600,
 * validated with the zod schema on every read, and re-read from disk each time so the app and
 * the CLI see each other's changes. The home is checked (and created 0700) before conf sees it.
 */
export class ConfSettingsStore implements SettingsStore {
  private readonly conf: Conf<Record<string, unknown>>;
  readonly home: string;
  /** The settings file's path. */
  readonly path: string;
  /** Held by every writer of the file, in this process or another (the app and each `rig`). */
  private readonly lockPath: string;

  constructor(home: string) {
    this.home = ensureHome(home);
    this.path = join(this.home, 'settings.json');
    this.lockPath = join(this.home, 'locks', 'settings.lock');
    try {
      this.conf = new Conf<Record<string, unknown>>({
        cwd: this.home,
        configName: 'settings',
        configFileMode: 0o600,
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
      });
    } catch (error) {
      // conf parses the file as it starts: say precisely what is wrong with it.
      this.raw();
      throw this.damaged(`cannot be read (${firstLine(error)})`);
    }
  }

  /** `field`: the bad value's path in the file, when one is to blame. */
  private damaged(what: string, field: string | null = null): CloudRigError {
    return new CloudRigError('SettingsDamaged', `The settings file ${this.path} is damaged: it ${what}.`, { action: 'repair-settings', path: this.path, field });
  }

  /** The file's text; null when there is no file yet. */
  private text(): string | null {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      throw this.damaged(`cannot be read (${code ?? firstLine(error)})`);
    }
  }

  /** The file's JSON, or an empty object when there is no file yet. Anything but an object is damage. */
  private raw(text: string | null = this.text()): Record<string, unknown> {
    if (text === null) return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.damaged(`is not valid JSON (${firstLine(error)})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw this.damaged(`holds ${value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`} instead of an object`);
    }
    return value as Record<string, unknown>;
  }

  /**
   * The file checked against the schema, with the fields the schema does not know (a typo of a
   * known one is an error). The file is read every time, so another writer's change is seen at
   * once; when its text is what was last checked, the check is not made again (the app reads the
   * settings several times a minute) and the caller gets its own copy of what it gave.
   */
  private load(): { settings: Settings; strays: StrayField[] } {
    const text = this.text();
    const last = this.lastLoad;
    if (last !== null && last.text === text) return { settings: structuredClone(last.settings), strays: last.strays };
    const loaded = this.check(text);
    this.lastLoad = { text, ...loaded, settings: structuredClone(loaded.settings) };
    return loaded;
  }

  private lastLoad: { readonly text: string | null; readonly settings: Settings; readonly strays: StrayField[] } | null = null;

  private check(text: string | null): { settings: Settings; strays: StrayField[] } {
    const raw = migrateSettings(this.raw(text));
    const parsed = SettingsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.join('.') || '(top level)';
      throw this.damaged(`has a bad value at ${where}: ${issue.message}`, where);
    }
    const strays = strayFields(raw, parsed.data);
    for (const stray of strays) {
      const meant = likelyMeant(SettingsSchema, stray);
      if (meant === null) continue;
      const where = fieldPath(stray.path);
      const name = String(stray.path.at(-1));
      // Kept silently, a misspelt field would look set and do nothing (seedHostkey leaves seeding on).
      throw new CloudRigError('SettingsDamaged', `The settings file ${this.path} has a field CloudRig does not know at ${where}: did you mean ${meant}?`,
        { action: 'rename-settings-field', path: this.path, field: name, meant, where });
    }
    return { settings: parsed.data, strays };
  }

  read(): Settings {
    return this.load().settings;
  }

  unknownFields(): string[] {
    return this.load().strays.map((stray) => fieldPath(stray.path)).sort();
  }

  /**
   * Applies `change` to the file as it is now: under a lock every CloudRig process takes, the
   * file is read again, changed, and written (temp + rename) before the next writer reads it, so
   * two writers' changes both land. Fields the schema does not know are written back as they were.
   */
  update(change: (settings: Settings) => Settings): Settings {
    try {
      return withFileLockSync(this.lockPath, () => this.change(change));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (error instanceof CloudRigError || code === undefined) throw error;
      throw new CloudRigError('HomeUnusable', `Could not save ${this.path}: ${code}.`,
        { action: 'choose-home', problem: 'not-writable', suggested: null });
    }
  }

  /** The read-change-write itself, run under the lock. */
  private change(change: (settings: Settings) => Settings): Settings {
    const { settings, strays } = this.load();
    const parsed = SettingsSchema.safeParse(change(settings));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CloudRigError('InvalidInput', `Refusing to save ${issue.path.join('.') || 'the settings'}: ${issue.message}.`, { action: 'correct-setting', field: issue.path.join('.') || 'the settings' });
    }
    try {
      this.conf.store = withStrayFields(parsed.data, strays) as unknown as Record<string, unknown>;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CloudRigError('HomeUnusable', `Could not save ${this.path}: ${code ?? firstLine(error)}.`,
        { action: 'choose-home', problem: 'not-writable', suggested: null });
    }
    return parsed.data;
  }

  saveWorkstation(spec: WorkstationSpec): void {
    this.update((settings) => ({
      ...settings,
      current: settings.current ?? spec.name,
      workstations: { ...settings.workstations, [spec.name]: spec },
    }));
  }
}
