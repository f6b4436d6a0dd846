import { closeSync, mkdirSync, openSync, rmSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CloudRigError } from '../../core/errors.js';

/**
 * The directory the app and the CLI share: CLOUDRIG_HOME, else the platform's config dir
 * (~/Library/Application Support/CloudRig, %APPDATA%\CloudRig, $XDG_CONFIG_HOME/CloudRig), under the
 * given environment's HOME; os.homedir() (which reads the process's) only when it has no HOME at all.
 */
export function resolveHome(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform = process.platform, home = env.HOME || homedir()): string {
  if (env.CLOUDRIG_HOME) return env.CLOUDRIG_HOME;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'CloudRig');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'CloudRig');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'CloudRig');
}

/** Why a home cannot be used, in words, from a file-system error code. */
function reasonOf(code: string | undefined): string {
  switch (code) {
    case 'EROFS': return 'it is on a read-only file system';
    case 'EACCES':
    case 'EPERM': return 'you may not write there';
    case 'ENOTDIR': return 'part of the path is a file, not a directory';
    case 'ENOSPC': return 'the disk is full';
    case 'ENAMETOOLONG': return 'the path is too long';
    default: return `the file system refused it (${code ?? 'unknown error'})`;
  }
}

/**
 * The home a failed one's fix suggests, written for the user's shell to expand (`--home ~/…`): the
 * user's own home, not the one this process happens to see (os.homedir() reads the process's HOME,
 * and ensureHome is given no environment).
 */
const SUGGESTED_HOME = '~/.config/CloudRig';

function unusableHome(home: string, reason: string): CloudRigError {
  return new CloudRigError('HomeUnusable', `The CloudRig home ${home} cannot be used: ${reason}.`,
    { action: 'choose-home', problem: 'unusable', suggested: SUGGESTED_HOME });
}

/**
 * Makes sure `home` is a writable directory, creating it (mode 0700: it holds private keys) one
 * level at a time. Fails at once with a one-line error instead of handing a bad path to libraries:
 * Node's recursive mkdir loops forever, deaf to SIGTERM, where mkdir answers ENOENT under an
 * existing parent (/proc, /sys), and conf would report a file in the way as a damaged settings file.
 * Returns the absolute path.
 */
export function ensureHome(home: string): string {
  if (home.trim() === '') {
    throw new CloudRigError('HomeUnusable', 'The CloudRig home is an empty path.',
      { action: 'choose-home', problem: 'empty', suggested: SUGGESTED_HOME });
  }
  const target = resolve(home);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    let stats: Stats;
    try {
      stats = statSync(existing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw unusableHome(target, reasonOf(code));
      missing.unshift(existing);
      const parent = dirname(existing);
      if (parent === existing) throw unusableHome(target, 'no part of the path exists');
      existing = parent;
      continue;
    }
    if (!stats.isDirectory()) {
      throw unusableHome(target, existing === target ? 'it is a file, not a directory' : `${existing} is a file, not a directory`);
    }
    break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      // ENOENT right after its parent was seen: a pseudo file system such as /proc.
      throw unusableHome(target, code === 'ENOENT' ? 'its parent does not accept new directories' : reasonOf(code));
    }
  }
  // A probe file: access(W_OK) says yes to root on a file system that refuses every write.
  const probe = join(target, `.write-test-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') throw unusableHome(target, reasonOf(code));
  }
  rmSync(probe, { force: true });
  return target;
}
