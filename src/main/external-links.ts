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

/** Whether a URL may be handed to the OS browser: https, and only the hosts linkUrl builds. */
export function isAllowedExternal(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password || parsed.port) return false;
  return parsed.hostname === 'docs.aws.amazon.com' ||
    /^[a-z0-9-]+\.console\.aws\.amazon\.com$/.test(parsed.hostname);
}
