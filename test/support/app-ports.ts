import { createCore } from '../../src/adapters/compose.js';
import type { SessionPorts } from '../../src/core/app/app-session.js';
import type { RigWorld } from './rig-harness.js';
import { noKeyring } from './app-harness.js';
import { FakeAppStateStore } from './fake-app-state-store.js';

/** A Linux desktop without a keyring (app-harness.ts): typed keys cannot be stored. */
export { noKeyring };

/**
 * The ports an AppSession gets in the integration tests: the world's home and endpoints, the real
 * adapters, a shell that does nothing visible (no clipboard, terminal, notification or window
 * here), and an hourly tick. `extra` adds or replaces ports (openExternal, folderPicker, …).
 */
export function testSessionPorts(world: Pick<RigWorld, 'home' | 'env'>, extra: Partial<SessionPorts> = {}): SessionPorts {
  return {
    home: world.home,
    env: { ...world.env, CLOUDRIG_HOME: world.home },
    platform: 'linux',
    createCore: (options) => createCore(options),
    clipboard: { writeText: () => undefined },
    terminal: { installed: async () => new Set<string>(), open: async () => ({ label: 'none' }) },
    notifier: { show: () => undefined },
    secretBox: noKeyring,
    appState: new FakeAppStateStore(),
    loginItem: { set: () => undefined },
    popover: { show: () => undefined, hide: () => undefined },
    tickMs: 3_600_000,
    ...extra,
  };
}
