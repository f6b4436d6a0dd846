import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/**
 * Writes `data` to a new temp file beside `path` (created with `mode`, so a secret is never
 * readable by others even briefly), flushed; returns its name for `renameOver`.
 */
export async function writeTempFile(path: string, data: string | Uint8Array, mode = 0o600): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    // The umask may have narrowed `mode` (a user's 0664 file would come back 0644): set it exactly.
    await handle.chmod(mode);
    await handle.writeFile(data, typeof data === 'string' ? 'utf8' : undefined);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  return temp;
}

/** Renames a temp file from `writeTempFile` over `path`; the temp file is removed when that fails. */
export async function renameOver(temp: string, path: string): Promise<void> {
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes a file so that readers see the old content or the new, never half of it: a temp file
 * in the same directory, flushed, then renamed over the target.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await renameOver(await writeTempFile(path, data, mode), path);
}
