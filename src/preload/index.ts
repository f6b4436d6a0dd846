import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildBridge } from './bridge.js';

// The popover's only door to main: named functions from the contract (no channel strings, no raw events).
contextBridge.exposeInMainWorld('cloudrig', buildBridge({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe: (channel, listener) => {
    const handler = (_event: IpcRendererEvent, value: unknown): void => listener(value);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
}));
