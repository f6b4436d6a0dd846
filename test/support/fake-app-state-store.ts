import type { AppStateStore } from '../../src/core/app/shell-ports.js';
import { AppStateSchema, defaultAppState, type AppState } from '../../src/shared/app-state.js';

/**
 * The app's own state in memory, for sessions built without Electron (its real store, in src/main,
 * sits on electron-store, which needs the electron module: test/integration/app-state-store.test.ts
 * runs it against the Electron double). Checks every write against the same schema.
 */
export class FakeAppStateStore implements AppStateStore {
  private state: AppState;

  constructor(initial: Partial<AppState> = {}) {
    this.state = AppStateSchema.parse({ ...defaultAppState(), ...initial });
  }

  read(): AppState {
    return structuredClone(this.state);
  }

  update(change: (state: AppState) => AppState): AppState {
    this.state = AppStateSchema.parse(change(this.read()));
    return this.read();
  }
}
