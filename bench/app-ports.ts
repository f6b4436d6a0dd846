import { createCore } from '../src/adapters/compose.js';
import { releaseColdCode } from '../src/adapters/cold-code.js';
import type { SessionPorts } from '../src/core/app/app-session.js';
import { keyStorageVerdict } from '../src/core/credentials.js';
import { FakeAppStateStore } from '../test/support/fake-app-state-store.js';

/**
 * The ports the tray app's main process gives its AppSession (src/main/app-shell.ts), for a session
 * run without Electron: the real core and adapters (createCore, as main/index.ts passes it), and a
 * shell that shows nothing (no clipboard, terminal, notification, window or keyring; the app's own
 * state in memory, where the app keeps it with electron-store).
 */
export function benchSessionPorts(home: string, env: NodeJS.ProcessEnv): SessionPorts {
  return {
    home,
    env: { ...env, CLOUDRIG_HOME: home },
    platform: process.platform,
    createCore,
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set<string>(), open: async () => ({ label: 'none' }) },
    notifier: { show: () => undefined },
    secretBox: {
      availability: () => keyStorageVerdict('linux', true, 'basic_text'),
      encrypt: () => {
        throw new Error('not available');
      },
      decrypt: () => {
        throw new Error('not available');
      },
    },
    loginItem: { set: () => undefined },
    appState: new FakeAppStateStore(),
    popover: { show: () => undefined, hide: () => undefined },
    memory: { releaseColdCode },
  };
}
