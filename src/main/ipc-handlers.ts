import type { LinkTarget } from '../shared/contract.js';
import { CloudRigError, type AppSession, type TrayAction } from '../core/app/app-face.js';
import { isAllowedExternal, linkUrl } from './external-links.js';
import type { Handlers } from './ipc-router.js';
import { resizeHandlers } from './resize-handlers.js';

/** Opens an allowlisted URL in the OS browser (openExternalAllowlisted in the app). */
export type OpenExternal = (url: string) => Promise<void>;

async function openLink(openExternal: OpenExternal, target: LinkTarget, region: string): Promise<null> {
  const url = linkUrl(target, region);
  if (!isAllowedExternal(url)) throw new CloudRigError('LinkRefused', 'CloudRig does not open that address.', { action: 'open-link-yourself', url: null });
  // electronegativity OPEN_EXTERNAL_JS_CHECK: the URL is built by linkUrl() from a fixed target
  // list and checked against the allowlist above; openExternal is openExternalAllowlisted.
  await openExternal(url);
  return null;
}

/** The IPC handlers: each contract channel mapped to its use case on the session. */
export function ipcHandlers(session: AppSession, openExternal: OpenExternal): Handlers {
  return {
    'view:get': () => session.view(),
    'workstation:save': (form) => session.saveWorkstation(form),
    'workstation:start': () => session.startWorkstation(),
    'workstation:stop': () => session.stopWorkstation(),
    'workstation:terminate': ({ saveImage }) => session.terminateWorkstation(saveImage),
    'workstation:archive': () => session.archiveWorkstation(),
    'workstation:refresh': () => {
      session.popoverShown();
      return session.view();
    },
    'ssh:copy': () => session.copySshCommand(),
    'terminal:open': () => session.openTerminal(),
    'settings:get': () => session.getSettings(),
    'settings:update': (change) => session.updateSettings(change),
    'credentials:save': (keys) => session.saveAccessKeys(keys),
    'credentials:clear': () => session.clearAccessKeys(),
    'catalog:list': ({ region }) => session.listInstanceTypes(region),
    'checks:run': (target) => session.runChecks(target),
    'quota:request': (request) => session.requestQuota(request),
    'link:open': ({ target, region }) => openLink(openExternal, target, region),
    'window:hide': () => {
      session.hide();
      return null;
    },
    'reminder:answer': ({ action }) => session.answerReminder(action),
    'workstation:select': ({ name }) => session.selectWorkstation(name),
    'forgotten:dismiss': ({ instanceId }) => session.dismissForgotten(instanceId),
    'forgotten:open': ({ instanceId }) => session.openForgottenInConsole(instanceId),
    'jupyter:open': () => session.openJupyter(),
    'tunnel:tensorboard': () => session.openTensorBoard(),
    'tunnel:browse': ({ localPort }) => session.openTunnelUrl(localPort),
    'tunnel:close': ({ localPort }) => session.closeTunnel(localPort),
    'editor:open': () => session.openInVsCode(),
    'setup:copy': () => session.copySetupLogCommand(),
    'setup:open': () => session.openSetupLog(),
    'setup:dismiss': () => session.dismissSetupSuggestion(),
    'project:choose': () => session.chooseProjectFolder(),
    'project:push': () => session.pushProjectNow(),
    'project:update': (change) => session.updateProjectFolder(change),
    'tunnel:reopen': ({ localPort, reopen }) => session.setTunnelReopen(localPort, reopen),
    'tunnel:open': ({ localPort, remotePort }) => session.openCustomTunnel(localPort, remotePort),
    // The instance-type picker: GPU offers of a region or of all regions.
    'gpus:list': (query) => session.listGpuOffers(query),
    ...resizeHandlers(session),
  };
}

/** The tray menu's actions, each mapped to its use case (Quit and Restart to update are the shell's: they end the app). */
export function runTrayAction(session: AppSession, action: Exclude<TrayAction, 'quit' | 'restart-to-update'>, workstation?: string): void {
  session.attempt(() => {
    switch (action) {
      case 'start':
        return session.startWorkstation(workstation);
      case 'stop':
        return session.stopWorkstation(workstation);
      case 'copy-ssh':
        return session.copySshCommand(workstation);
      case 'open-terminal':
        return session.openTerminal(workstation);
      case 'save-and-terminate':
        return session.show('confirm-save-and-terminate');
      case 'terminate':
        return session.show('confirm-terminate');
      case 'show-popover':
        return session.show('main');
      case 'settings':
        return session.show('settings');
      case 'toggle-start-at-login':
        return session.toggleStartAtLogin();
    }
  });
}
