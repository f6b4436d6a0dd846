// `rig push --watch`: pushes again each time local edits settle.
import type { Clock } from '../ports.js';
import { ALWAYS_IGNORED } from './files.js';

/** Reports changed paths under the watched folder (relative, '/'-separated) until closed. */
export interface ChangeWatcher {
  watch(onChange: (path: string) => void): { close(): void };
}

/** How long local edits must have settled before `--watch` pushes them. */
export const WATCH_DEBOUNCE_MS = 300;

/** The longest `--watch` holds back a push while edits keep coming (a file rewritten every 0.1 s must not starve the others). */
export const WATCH_MAX_WAIT_MS = 2_000;

/**
 * Runs `sync` each time the watcher reports changes, once they have been quiet for `debounceMs`
 * (a save that writes several files, or an editor's temp-file dance, is one push), and at the
 * latest `maxWaitMs` after the first change. Changes inside `.git`, and those `isIgnored` says a
 * push leaves out, are not edits. Ends when `signal` aborts; a failed sync is reported and the next
 * change tries again (the connection reconnects on demand).
 */
export async function watchAndSync(options: {
  readonly watcher: ChangeWatcher;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly sync: () => Promise<void>;
  readonly onError: (error: unknown) => void;
  readonly debounceMs?: number;
  readonly maxWaitMs?: number;
  /** Whether a changed path is one the push leaves out (ignored by a .gitignore). */
  readonly isIgnored?: (path: string) => Promise<boolean> | boolean;
  /** Called once the watch is in place: a change from then on is pushed ("Watching …" is true). */
  readonly onWatching?: () => void;
  /** Hands over a function that asks for a push as an edit does (a connection came back: what failed meanwhile goes now). */
  readonly syncNow?: (sync: () => void) => void;
}): Promise<void> {
  const { watcher, clock, signal } = options;
  let pending = false;
  let wake: (() => void) | null = null;
  const edited = (): void => {
    pending = true;
    wake?.();
  };
  options.syncNow?.(edited);
  const handle = watcher.watch((path) => {
    if (path.split('/').some((part) => ALWAYS_IGNORED.has(part))) return;
    if (!options.isIgnored) return edited();
    void Promise.resolve(options.isIgnored(path)).then((ignored) => {
      if (!ignored) edited();
    }, edited);
  });
  options.onWatching?.();
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  const debounceMs = options.debounceMs ?? WATCH_DEBOUNCE_MS;
  const maxWaitMs = options.maxWaitMs ?? WATCH_MAX_WAIT_MS;
  try {
    while (!signal.aborted) {
      if (!pending) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = null;
      // Quiet for the whole debounce: each change during the wait starts it again, up to maxWaitMs.
      const first = clock.now();
      while (pending && !signal.aborted) {
        pending = false;
        const left = maxWaitMs - (clock.now() - first);
        if (left <= 0) break;
        await clock.sleep(Math.min(debounceMs, left), signal);
      }
      pending = false;
      if (signal.aborted) break;
      try {
        await options.sync();
      } catch (error) {
        options.onError(error);
      }
    }
  } finally {
    handle.close();
  }
}
