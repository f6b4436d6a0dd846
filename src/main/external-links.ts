import type { LinkTarget } from '../shared/contract.js';

/**
 * The only places CloudRig opens in the browser. The renderer names a target; the URL is built
 * here, so no page can make the app open an arbitrary URL (Electron checklist §15).
 */
export function linkUrl(target: LinkTarget, region: string): string {
  switch (target) {
    case 'service-quotas':
      return `https://${encodeURIComponent(region)}.console.aws.amazon.com/servicequotas/home/services/ec2/quotas`;
    case 'aws-credentials-help':
      return 'https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html';
  }
}

/**
 * Whether a URL may be handed to the OS: https to the hosts linkUrl builds; a forward CloudRig
 * opened (http on 127.0.0.1 with an explicit port: Jupyter, TensorBoard); a Remote-SSH folder on a
 * workstation's ssh alias in VS Code (vscode://vscode-remote/ssh-remote+NAME/…).
 */
export function isAllowedExternal(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (parsed.protocol === 'http:') return parsed.hostname === '127.0.0.1' && parsed.port !== '';
  if (parsed.protocol === 'vscode:') return parsed.host === 'vscode-remote' && /^\/ssh-remote\+[a-z0-9][a-z0-9-]{0,30}(\/|$)/.test(parsed.pathname);
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
  return parsed.hostname === 'docs.aws.amazon.com' ||
    /^[a-z0-9-]+\.console\.aws\.amazon\.com$/.test(parsed.hostname);
}
