// The façade's module for the tray app's shell (src/main), as face.ts is for the CLI: the app's
// view-model (AppSession, which reaches the use cases through Rig), the ports the shell provides,
// and the pure helpers and types the shell renders with (tray model, update menu, errors as data).
// src/main imports core through this module only; lint holds it to that.
export { AppSession, type SessionPorts, type SettingsChange } from './app-session.js';
export type { Rig } from './rig.js';
export type { CoreFactory } from './cloudrig-core.js';
export type { AppStateStore, Clipboard, BurstEnd, FolderPicker, LoginItem, MemoryPort, Notifier, PopoverPort, TerminalPort } from './shell-ports.js';
export type { ForgottenAction, ForgottenNotice } from './forgotten-watch.js';
export { CloudRigError, toErrorInfo } from '../errors.js';
export { Emitter } from '../emitter.js';
export { keyStorageVerdict, type KeyStorageVerdict, type SecretBox } from '../credentials.js';
export { autostartEntry } from '../autostart-entry.js';
export type { NotificationButton, NotificationModel } from '../notification-policy.js';
export { popoverPosition } from '../popover-position.js';
export type { TrayIcon } from '../phase-view.js';
export type { TrayAction, TrayMenuItem, TrayModel } from '../tray-model.js';
export { UPDATE_CHECK_INTERVAL_MS, updateBlocker, withUpdateItem } from '../update-menu.js';
