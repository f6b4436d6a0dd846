import Store from 'electron-store';
import { renameSync } from 'node:fs';
import { toErrorInfo, type AppStateStore } from '../core/app/app-face.js';
import { AppStateSchema, defaultAppState, type AppState } from '../shared/app-state.js';
import { closeElectronStoreChannel } from './ipc-binding.js';

/** The file's name in Electron's userData folder. */
export const APP_STATE_FILE = 'app-state.json';

/** What is wrong with the file's text, or null when it holds an app state. */
function problemOf(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.trim() === '' ? 'is empty' : 'is not valid JSON';
  }
  const parsed = AppStateSchema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `has a bad value at ${issue.path.join('.') || '(top level)'}: ${issue.message}`;
}

/**
 * The app's own state in `<userData>/app-state.json` through electron-store (conf): written
 * atomically (temp file + rename), mode 0600, checked against the zod schema. Only this process
 * writes it (the single-instance lock), so it is read once, here, and kept in memory.
 *
 * A file that does not fit (truncated by a crash, edited, written by a newer version) is reported,
 * kept beside as `app-state.json.damaged` and replaced by the defaults: the app starts, and the
 * user types the keys again. Construct it after userData is settled (electron-store takes its
 * folder from `app.getPath('userData')` as it is then).
 */
export class ElectronAppStateStore implements AppStateStore {
  private readonly store: Store<AppState> | null;
  private state: AppState = defaultAppState();

  constructor(private readonly log: (line: string) => void) {
    let problem: string | null = null;
    const options = {
      name: 'app-state',
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      // conf parses the file as it starts: a damaged one is noted here and read as the defaults,
      // never thrown (which would stop the app).
      deserialize: (text: string): AppState => {
        problem = problemOf(text);
        return problem === null ? AppStateSchema.parse(JSON.parse(text)) : defaultAppState();
      },
    };
    let store: Store<AppState> | null = null;
    try {
      store = new Store<AppState>(options);
    } catch (error) {
      // Not a parse error (deserialize never throws): the folder or file cannot be read at all.
      this.log(`app state: cannot read ${APP_STATE_FILE} (${toErrorInfo(error).message}); the app's own state is kept in memory only`);
    } finally {
      // electron-store answers userData and the app version on a raw IPC channel to any renderer;
      // the popover has no use for it, and the router (sender-checked) stays the only way in.
      closeElectronStoreChannel();
    }
    this.store = store;
    if (!store) return;
    if (problem !== null) {
      this.log(`app state: ${store.path} ${problem}; starting from defaults, the damaged file kept as ${APP_STATE_FILE}.damaged`);
      this.setAside(store.path);
      this.write(this.state);
    } else {
      this.state = AppStateSchema.parse(store.store);
    }
  }

  /** Where the state is kept (null when it could not be opened). */
  get path(): string | null {
    return this.store?.path ?? null;
  }

  read(): AppState {
    return structuredClone(this.state);
  }

  update(change: (state: AppState) => AppState): AppState {
    const next = AppStateSchema.parse(change(this.read()));
    this.write(next);
    this.state = next;
    return this.read();
  }

  private write(state: AppState): void {
    if (this.store) this.store.store = state;
  }

  private setAside(path: string): void {
    try {
      renameSync(path, `${path}.damaged`);
    } catch (error) {
      this.log(`app state: could not keep the damaged file (${toErrorInfo(error).message}); it is overwritten`);
    }
  }
}
