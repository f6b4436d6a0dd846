import ignore, { type Ignore } from 'ignore';
import type { Clock } from '../ports.js';

/**
 * Files that follow you: `rig push` / `rig pull` copy a tree one way, skipping files whose size
 * and modification time already match and keeping modes; `--watch` pushes again after local
 * edits settle. Paths here are relative to a tree's root, '/'-separated, '' for the root itself.
 */

/** One thing in a tree, as either side reports it. */
export interface FileEntry {
  readonly name: string;
  readonly kind: 'file' | 'dir' | 'other';
  readonly size: number;
  readonly mtimeMs: number;
  /** Permission bits (0o7777). */
  readonly mode: number;
}

/** One side of a copy (the laptop's disk, or the workstation over sftp), rooted at a path. */
export interface FileTree {
  /** What is at `path`, or null when nothing is. */
  stat(path: string): Promise<FileEntry | null>;
  /** The entries of directory `path`; [] when it does not exist. */
  list(path: string): Promise<FileEntry[]>;
  /** A small text file's content (a .gitignore), or null when missing. */
  readText(path: string): Promise<string | null>;
}

/** Copies from the source tree to the destination tree, keeping modes and modification times. */
export interface FileCopier {
  makeDir(path: string, mode: number): Promise<void>;
  /** Copies the file at `path`; `onBytes` gets the bytes copied so far. */
  copyFile(path: string, source: FileEntry, onBytes: (copied: number) => void): Promise<void>;
}

/** Where a copy is, for progress output. */
export interface CopyProgress {
  readonly path: string;
  readonly fileBytes: number;
  readonly fileSize: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** What a sync did. */
export interface SyncSummary {
  readonly copied: readonly string[];
  readonly skipped: number;
  readonly ignored: number;
  readonly bytes: number;
}

/** What a sync would copy. */
interface SyncPlan {
  readonly dirs: { readonly path: string; readonly mode: number }[];
  readonly files: { readonly path: string; readonly entry: FileEntry }[];
  skipped: number;
  ignored: number;
}

/** Never copied, whatever .gitignore says: the repository's own database. */
const ALWAYS_IGNORED = new Set(['.git']);

/**
 * Whether a copy at the destination is the same file: same size and the same modification time
 * to the second (sftp carries whole seconds, so finer differences say nothing).
 */
export function sameFile(source: FileEntry, dest: FileEntry | null | undefined): boolean {
  return dest?.kind === 'file' && dest.size === source.size && Math.floor(dest.mtimeMs / 1000) === Math.floor(source.mtimeMs / 1000);
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The .gitignore rules in force in one directory of the source tree. */
interface Rules {
  readonly base: string;
  readonly matcher: Ignore;
}

/** Whether `path` is ignored by any .gitignore above it (each read relative to its own folder, as git does). */
export function isIgnored(path: string, isDir: boolean, rules: readonly Rules[]): boolean {
  if (path.split('/').some((part) => ALWAYS_IGNORED.has(part))) return true;
  for (const { base, matcher } of rules) {
    if (base !== '' && !path.startsWith(`${base}/`)) continue;
    const inner = base === '' ? path : path.slice(base.length + 1);
    if (inner !== '' && matcher.ignores(isDir ? `${inner}/` : inner)) return true;
  }
  return false;
}

/** The rules of a .gitignore in `base`. */
export function gitignoreRules(base: string, text: string): Rules {
  return { base, matcher: ignore().add(text) };
}

/** Walks the source, comparing each folder with the same folder at the destination. */
async function planSync(source: FileTree, dest: FileTree): Promise<SyncPlan> {
  const plan: SyncPlan = { dirs: [], files: [], skipped: 0, ignored: 0 };
  const walk = async (dir: string, inherited: readonly Rules[]): Promise<void> => {
    const [entries, there] = await Promise.all([source.list(dir), dest.list(dir)]);
    const existing = new Map(there.map((entry) => [entry.name, entry]));
    const gitignore = entries.some((entry) => entry.name === '.gitignore' && entry.kind === 'file') ? await source.readText(join(dir, '.gitignore')) : null;
    const rules = gitignore === null ? inherited : [...inherited, gitignoreRules(dir, gitignore)];
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of sorted) {
      const path = join(dir, entry.name);
      if (entry.kind === 'other') continue;
      if (isIgnored(path, entry.kind === 'dir', rules)) {
        plan.ignored += 1;
        continue;
      }
      const current = existing.get(entry.name);
      if (entry.kind === 'dir') {
        if (current?.kind !== 'dir') plan.dirs.push({ path, mode: entry.mode });
        await walk(path, rules);
      } else if (sameFile(entry, current)) {
        plan.skipped += 1;
      } else {
        plan.files.push({ path, entry });
      }
    }
  };
  const root = await source.stat('');
  if (root === null) throw new Error('the source does not exist');
  if (root.kind === 'file') {
    // One file: the trees are rooted at the file itself.
    if (sameFile(root, await dest.stat(''))) plan.skipped += 1;
    else plan.files.push({ path: '', entry: root });
  } else {
    if ((await dest.stat(''))?.kind !== 'dir') plan.dirs.push({ path: '', mode: root.mode });
    await walk('', []);
  }
  return plan;
}

/**
 * Copies what differs from `source` to `dest`: new and changed files (size or modification time),
 * with their modes and times; never `.git`, nor what a .gitignore in the source ignores. Deletes
 * nothing at the destination.
 */
export async function syncTree(source: FileTree, dest: FileTree, copier: FileCopier, onProgress?: (progress: CopyProgress) => void): Promise<SyncSummary> {
  const plan = await planSync(source, dest);
  for (const dir of plan.dirs) await copier.makeDir(dir.path, dir.mode);
  const bytesTotal = plan.files.reduce((sum, file) => sum + file.entry.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  for (const { path, entry } of plan.files) {
    const report = (fileBytes: number): void =>
      onProgress?.({ path, fileBytes, fileSize: entry.size, filesDone, filesTotal: plan.files.length, bytesDone: bytesDone + fileBytes, bytesTotal });
    report(0);
    await copier.copyFile(path, entry, report);
    bytesDone += entry.size;
    filesDone += 1;
    report(entry.size);
  }
  return { copied: plan.files.map((file) => file.path), skipped: plan.skipped, ignored: plan.ignored, bytes: bytesDone };
}

/** Reports changed paths under the watched folder (relative, '/'-separated) until closed. */
export interface ChangeWatcher {
  watch(onChange: (path: string) => void): { close(): void };
}

/** How long local edits must have settled before `--watch` pushes them. */
export const WATCH_DEBOUNCE_MS = 300;

/**
 * Runs `sync` each time the watcher reports changes, once they have been quiet for `debounceMs`
 * (a save that writes several files, or an editor's temp-file dance, is one push). Changes inside
 * `.git` are not edits. Ends when `signal` aborts; a failed sync is reported and the next change
 * tries again (the connection reconnects on demand).
 */
export async function watchAndSync(options: {
  readonly watcher: ChangeWatcher;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly sync: () => Promise<void>;
  readonly onError: (error: unknown) => void;
  readonly debounceMs?: number;
  /** Called once the watch is in place: a change from then on is pushed ("Watching …" is true). */
  readonly onWatching?: () => void;
}): Promise<void> {
  const { watcher, clock, signal } = options;
  let pending = false;
  let wake: (() => void) | null = null;
  const handle = watcher.watch((path) => {
    if (path.split('/').some((part) => ALWAYS_IGNORED.has(part))) return;
    pending = true;
    wake?.();
  });
  options.onWatching?.();
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  try {
    while (!signal.aborted) {
      if (!pending) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = null;
      // Quiet for the whole debounce: each change during the wait starts it again.
      while (pending && !signal.aborted) {
        pending = false;
        await clock.sleep(options.debounceMs ?? WATCH_DEBOUNCE_MS, signal);
      }
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
