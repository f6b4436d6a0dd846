import type { CloudrigApi } from '../shared/contract.js';

declare global {
  interface Window {
    /** The bridge the preload exposes; the renderer's only way to main. */
    readonly cloudrig: CloudrigApi;
  }
}
