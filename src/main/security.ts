import { app, session, shell, type WebContents } from 'electron';
import { isAllowedExternal } from './external-links.js';

/**
 * The one way CloudRig opens a URL outside the app (Electron checklist §15): only what
 * isAllowedExternal admits (allowlisted https hosts, CloudRig's loopback forwards, a VS Code
 * Remote-SSH folder); anything else is refused and logged.
 */
export async function openExternalAllowlisted(url: string): Promise<void> {
  if (!isAllowedExternal(url)) {
    console.warn(`refused to open ${url.slice(0, 200)}`);
    return;
  }
  // electronegativity OPEN_EXTERNAL_JS_CHECK reports this call for review: the URL was just
  // checked against the allowlist above; callers pass a URL built by linkUrl(), a loopback
  // forward CloudRig opened, or a vscode:// folder link built by core (vscodeLink).
  await shell.openExternal(url, { activate: true });
}

/** Whether `url` is one of the app's own pages (the popover), which may be navigated to. */
export type OwnPage = (url: string) => boolean;

/**
 * Hardens every web contents the app ever creates:
 * - §13 navigation: only within the app's own pages; everything else is prevented.
 * - §14 new windows: always denied (allowlisted links go to the OS browser instead).
 * - §12 webviews: never attached (webviewTag is off as well).
 * - §5 permissions: every request and check denied; the popover needs none.
 */
export function hardenWebContents(isOwnPage: OwnPage): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isOwnPage(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isOwnPage(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // setWindowOpenHandler replaces the removed 'new-window' event that older scanners look for.
    contents.setWindowOpenHandler(({ url }) => {
      void openExternalAllowlisted(url);
      return { action: 'deny' };
    });
  });
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}
