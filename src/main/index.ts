import { app, dialog } from 'electron';
import { toErrorInfo } from '../core/errors.js';
import { appFix } from '../shared/app-fix-wording.js';
import { boot } from './app-shell.js';

// The app's entry point: everything is in boot(); a failure to start is shown, not swallowed.
boot().catch((error: unknown) => {
  const info = toErrorInfo(error);
  dialog.showErrorBox('CloudRig could not start', `${info.message}\n\n${appFix(info.fix)}`);
  app.exit(1);
});
