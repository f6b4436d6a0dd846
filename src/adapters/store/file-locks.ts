import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CloudRigError } from '../../core/errors.js';
import type { Locks } from '../../core/ports.js';

/** A lock whose holder died is taken over after this long without a refresh. */
const STALE_MS = 10_000;
/** The holder refreshes the lock this often: well inside the staleness, so a live holder never looks dead. */
const REFRESH_MS = 2_000;

/**
 * Cross-process locks in `<home>/locks`, so two `rig up` (or the app and the CLI) never both
 * launch. The holder refreshes the lock every 2 s for as long as it works; a lock whose holder
 * died goes stale after 10 s. A holder that cannot refresh (or finds the lock taken over) is told
 * through the work's signal, and must stop before it launches anything.
 */
export class FileLocks implements Locks {
  constructor(
    private readonly home: string,
    private readonly waitMs = 15 * 60_000,
  ) {}

  async withLock<T>(key: string, work: (signal: AbortSignal) => Promise<T>, options: { readonly wait?: boolean; readonly onWait?: () => void } = {}): Promise<T> {
    const dir = join(this.home, 'locks');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const target = join(dir, key);
    const lost = new AbortController();
    const lock = (retries: number | { retries: number; minTimeout: number; maxTimeout: number; factor: number }) => lockfile.lock(target, {
      realpath: false,
      stale: STALE_MS,
      update: REFRESH_MS,
      retries,
      // proper-lockfile throws from a timer by default, killing the process mid-operation.
      onCompromised: (error) => lost.abort(new CloudRigError('LockLost',
        `CloudRig lost its lock on ${key} (${error.message}), so it stopped before changing anything else.`,
        { action: 'retry', reason: 'lock-lost' })),
    });
    let release: () => Promise<void>;
    try {
      release = options.wait === false ? await lock(0) : await lockNowOrWait(lock, options.onWait, this.waitMs);
    } catch (error) {
      throw new CloudRigError('Busy', `Another CloudRig process is working on ${key} (${(error as Error).message}).`,
        { action: 'retry', reason: 'busy' });
    }
    try {
      return await work(lost.signal);
    } finally {
      if (!lost.signal.aborted) await release().catch(() => undefined);
    }
  }
}

/**
 * Takes the lock at once when it is free; when another process holds it, says so through `onWait`
 * (a wait of up to `waitMs` should not look like a hang) and then waits for it.
 */
async function lockNowOrWait<R>(
  lock: (retries: number | { retries: number; minTimeout: number; maxTimeout: number; factor: number }) => Promise<R>,
  onWait: (() => void) | undefined,
  waitMs: number,
): Promise<R> {
  // Free, as it nearly always is: one attempt. Asking for the wait's retries up front would have
  // proper-lockfile's retry schedule (thousands of timeouts for a 15-minute wait) built and sorted
  // at every lock the app's minute tick takes.
  try {
    return await lock(0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    onWait?.();
    return lock({ retries: Math.ceil(waitMs / 250), minTimeout: 100, maxTimeout: 250, factor: 1.2 });
  }
}

/** Locks this process holds through withFileLockSync. */
const heldHere = new Set<string>();

/** Blocks this thread for `ms` without spinning (the settings store's callers are synchronous). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `work` holding the cross-process lock `lockPath` (a directory, as proper-lockfile makes
 * it), waiting for another holder up to `waitMs`. Synchronous, for a read-modify-write that takes
 * milliseconds: the settings file, which the app and every `rig` write through a synchronous port.
 * A holder that died leaves a lock that goes stale after 10 s and is then taken over.
 */
export function withFileLockSync<T>(lockPath: string, work: () => T, waitMs = 30_000): T {
  // The lock is not re-entrant: a change that saved again from inside a change would wait on itself.
  if (heldHere.has(lockPath)) throw new Error(`${lockPath} is already held by this process: a settings change saved from inside another`);
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  let release: () => void;
  for (let attempt = 0; ; attempt++) {
    try {
      // The target file need not exist: realpath off, and the lock directory named explicitly.
      release = lockfile.lockSync(lockPath, { realpath: false, stale: STALE_MS, lockfilePath: lockPath });
      break;
    } catch (error) {
      // Anything but "held by another" (a home that is not writable) is the caller's to word.
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() >= deadline) {
        throw new CloudRigError('Busy', `Another CloudRig process is holding ${lockPath} (${(error as Error).message}).`,
          { action: 'retry', reason: 'busy' });
      }
      sleepSync(Math.min(5 + attempt * 5, 50));
    }
  }
  heldHere.add(lockPath);
  try {
    return work();
  } finally {
    heldHere.delete(lockPath);
    try {
      release();
    } catch {
      // Already released or taken over as stale: the next holder has it, nothing to undo.
    }
  }
}

/**
 * Runs `work` holding the cross-process lock directory `lockPath`, waiting for another holder up
 * to `waitMs`. For a short edit of a file shared beyond one home (the user's ssh config, which
 * several CloudRig homes may edit): the lock sits beside the file, so every home finds it.
 */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>, waitMs = 30_000): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(lockPath, {
      realpath: false,
      lockfilePath: lockPath,
      stale: STALE_MS,
      update: REFRESH_MS,
      retries: { retries: Math.ceil(waitMs / 100), minTimeout: 20, maxTimeout: 100, factor: 1.2 },
      // The edit takes milliseconds; a lock lost meanwhile is no reason to kill the process from a timer.
      onCompromised: () => undefined,
    });
  } catch (error) {
    // Anything but "held by another" (a folder that is not writable) is the caller's to word.
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new CloudRigError('Busy', `Another process is holding ${lockPath} (${(error as Error).message}).`,
      { action: 'retry', reason: 'busy' });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
