import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Router, Sender } from './ipc-router.js';

/** The frame a message came from; a destroyed or navigated-away frame has no URL and is refused. */
export function senderOf(event: IpcMainInvokeEvent): Sender {
  const frame = event.senderFrame;
  return { url: frame?.url ?? '', isMainFrame: frame !== null && frame.parent === null };
}

/** Binds every contract channel to the router (the only place ipcMain is used). Returns an unbind. */
export function bindRouter(router: Router): () => void {
  for (const channel of router.channels) {
    ipcMain.handle(channel, (event, payload: unknown) => router.handle(channel, senderOf(event), payload));
  }
  return () => {
    for (const channel of router.channels) ipcMain.removeHandler(channel);
  };
}

/** The raw channel electron-store's main-process constructor listens on (its renderer half asks it for userData). */
export const ELECTRON_STORE_CHANNEL = 'electron-store-get-data';

/** Removes electron-store's listener: no renderer here uses electron-store, and the router is the only way in. */
export function closeElectronStoreChannel(): void {
  ipcMain.removeAllListeners(ELECTRON_STORE_CHANNEL);
}
