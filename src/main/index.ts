import { app, dialog } from 'electron';
import { createCore, releaseColdCode, resolveHome, systemTerminal } from '../adapters/compose.js';
import { toErrorInfo } from '../core/app/app-face.js';
import { appFix } from '../shared/app-fix-wording.js';
import { boot } from './app-shell.js';
import { platformUpdater } from './updates.js';

// The app's entry point and composition root: the real core and adapters go in here, and nowhere
// else in src/main. Everything else is in boot(); a failure to start is shown, not swallowed.
// V8's memory settings for a long-lived watcher are already in force: src/main/start.ts set them
// before loading this module.
// The one place the app reads its environment: handed down from here.
boot({ createCore, resolveHome, terminal: systemTerminal, updater: platformUpdater, memory: { releaseColdCode } }, { env: process.env }).catch((error: unknown) => {
  const info = toErrorInfo(error);
  dialog.showErrorBox('CloudRig could not start', `${info.message}\n\n${appFix(info.fix)}`);
  app.exit(1);
});
