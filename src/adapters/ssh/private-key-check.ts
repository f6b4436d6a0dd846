import { stat } from 'node:fs/promises';
import { CloudRigError } from '../../core/errors.js';
import { shellQuote } from '../../core/ssh-command.js';
import type { SshTarget } from '../../core/ports.js';

/**
 * What is wrong with the workstation's private key file, or null when ssh can use it: one stat,
 * cheap enough for every probe. OpenSSH refuses a key others can read, so a status that said
 * "ready" with such a key would be a lie.
 */
export function privateKeyProblem(target: SshTarget, platform: string = process.platform): Promise<CloudRigError | null> {
  return keyFileProblem(target.keyPath, target.workstation ? `workstation ${target.workstation}` : `${target.user}@${target.host}`, platform);
}

/** The same for a key file by its path; `who` names whose key it is in the message. */
export async function keyFileProblem(path: string, who: string, platform: string = process.platform): Promise<CloudRigError | null> {
  const quoted = platform === 'win32' ? `"${path}"` : shellQuote(path);
  let mode: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
    mode = info.mode & 0o777;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    return new CloudRigError('KeyMissing', `The private key of ${who} is missing: ${path}.`,
      { action: 'restore-key', path: quoted });
  }
  // Windows has no Unix modes; OpenSSH checks ACLs there, which stat cannot see.
  if (platform !== 'win32' && (mode & 0o077) !== 0) {
    return new CloudRigError('KeyPermissions',
      `The private key of ${who} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}), so ssh refuses to use it: ${path}.`,
      { action: 'make-key-private', path: quoted });
  }
  return null;
}
