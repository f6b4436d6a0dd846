import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The directory the app and the CLI share: CLOUDRIG_HOME, else the platform's config dir
 * (~/Library/Application Support/CloudRig, %APPDATA%\CloudRig, $XDG_CONFIG_HOME/CloudRig).
 */
export function resolveHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.CLOUDRIG_HOME) return env.CLOUDRIG_HOME;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'CloudRig');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'CloudRig');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'CloudRig');
}
