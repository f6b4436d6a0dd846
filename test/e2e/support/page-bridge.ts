// Bundled (esbuild, IIFE) into the page as an init script: the same buildBridge the preload uses,
// over a Playwright binding instead of ipcRenderer. Main pushes events through __cloudrigEmit.
import { buildBridge } from '../../../src/preload/bridge.js';

type Listener = (value: unknown) => void;
const page = globalThis as unknown as {
  __cloudrigInvoke(channel: string, payload: unknown): Promise<unknown>;
  __cloudrigEmit?: (channel: string, value: unknown) => void;
  cloudrig?: unknown;
};
const listeners = new Map<string, Set<Listener>>();

page.__cloudrigEmit = (channel, value) => {
  for (const listener of listeners.get(channel) ?? []) listener(value);
};
Object.defineProperty(globalThis, 'cloudrig', {
  value: buildBridge({
    invoke: (channel, payload) => page.__cloudrigInvoke(channel, payload),
    subscribe: (channel, listener) => {
      const set = listeners.get(channel) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
  }),
  writable: false,
  configurable: false,
});
