import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CloudRigError } from '../../core/errors.js';
import type { Locks } from '../../core/ports.js';

/**
 * Cross-process locks in `<home>/locks`, so two `rig up` (or the app and the CLI) never both
 * launch. A lock whose holder died goes stale after 10 s.
 */
export class FileLocks implements Locks {
  constructor(
    private readonly home: string,
    private readonly waitMs = 15 * 60_000,
  ) {}

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const dir = join(this.home, 'locks');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const target = join(dir, key);
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(target, {
        realpath: false,
        stale: 10_000,
        update: 2_000,
        retries: { retries: Math.ceil(this.waitMs / 250), minTimeout: 100, maxTimeout: 250, factor: 1.2 },
      });
    } catch (error) {
      throw new CloudRigError('Busy', `Another CloudRig process is working on ${key} (${(error as Error).message}).`,
        'Wait for it to finish (or end it), then try again.');
    }
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
    }
  }
}
