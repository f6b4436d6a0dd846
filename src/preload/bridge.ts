import { EVENT_METHODS, REQUEST_METHODS } from '../shared/channels.js';
import type { CloudrigApi } from '../shared/contract.js';

/** How the bridge reaches main: ipcRenderer in the app, a Playwright binding in e2e tests. */
export interface Transport {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (value: unknown) => void): () => void;
}

/**
 * `window.cloudrig`: one named function per contract channel and one `on…` per event. The page
 * never sees a channel name, ipcRenderer or an IPC event object, so it cannot send anything the
 * contract does not name.
 */
export function buildBridge(transport: Transport): CloudrigApi {
  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(REQUEST_METHODS)) {
    api[method] = (payload?: unknown) => transport.invoke(channel, payload);
  }
  for (const [channel, method] of Object.entries(EVENT_METHODS)) {
    api[method] = (listener: (value: unknown) => void) => transport.subscribe(channel, (value) => listener(value));
  }
  return Object.freeze(api) as CloudrigApi;
}
