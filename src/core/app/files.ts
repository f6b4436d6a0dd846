import ignore, { type Ignore } from 'ignore';
import { hasControlCharacters } from '../../shared/untrusted-text.js';
import type { Clock } from '../ports.js';

/**
 * Files that follow you: `rig push` / `rig pull` copy a tree one way, skipping files whose size
 * and modification time already match and keeping modes; `--watch` pushes again after local
 * edits settle. Paths here are relative to a tree's root, '/'-separated, '' for the root itself.
 */

/** One thing in a tree, as either side reports it. */
export interface FileEntry {
  readonly name: string;
  /** A symbolic link is 'link' (never followed below a tree's root); FIFOs, devices and sockets are 'other'. */
  readonly kind: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  readonly mtimeMs: number;
  /** Permission bits (0o7777). */
  readonly mode: number;
}

/** One side of a copy (the laptop's disk, or the workstation over sftp), rooted at a path. */
export interface FileTree {
  /** What is at `path`, or null when nothing is. The root itself is followed when it is a link (the user named it). */
  stat(path: string): Promise<FileEntry | null>;
  /** The entries of directory `path`; [] when it does not exist. */
  list(path: string): Promise<FileEntry[]>;
  /** A small text file's content (a .gitignore), or null when missing. */
  readText(path: string): Promise<string | null>;
}

/** What became of one file the plan meant to copy. */
export type CopyOutcome =
  /** Copied; `bytes` is what was actually sent (a file truncated since the plan sends less). */
  | { readonly kind: 'copied'; readonly bytes: number }
  /** The source file was gone by the time it was opened (deleted mid-push): nothing written. */
  | { readonly kind: 'vanished' };

/**
 * Copies from the source tree to the destination tree, keeping modes and modification times. Each
 * file is written to a temporary name in its folder and renamed into place, so an interrupted copy
 * never leaves a partial file where the old one was, and a link at the destination is replaced, not
 * written through. `replace` says the plan saw something that is not a plain file (or folder) there
 * and --force allows replacing it.
 */
export interface FileCopier {
  makeDir(path: string, mode: number, options: { readonly replace: boolean }): Promise<void>;
  /** Copies the file at `path`; `onBytes` gets the bytes copied so far. */
  copyFile(path: string, source: FileEntry, onBytes: (copied: number) => void): Promise<CopyOutcome>;
  /**
   * Ctrl-C: starts no more copies and removes the temporary files of those under way (the files
   * they would replace are untouched). The copies' promises may then never settle.
   */
  abandon(): Promise<void>;
}

/** Where a copy is, for progress output. */
export interface CopyProgress {
  readonly path: string;
  readonly fileBytes: number;
  readonly fileSize: number;
  /** This file's place in the copy (1-based): files are copied several at a time. */
  readonly fileNumber: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Why a file was left as it is at the destination (each face words these). */
export type KeptReason =
  /** The destination's copy was modified after the source's: --force replaces it. */
  | 'newer'
  /** A symbolic link is at the destination path: never written through; --force replaces the link. */
  | 'link'
  /** A FIFO, device or socket is at the destination path: --force replaces it. */
  | 'special'
  /** A file is at the destination where the source has a folder: --force replaces it. */
  | 'not-a-folder'
  /** A folder is at the destination where the source has a file: never replaced. */
  | 'folder'
  /** The source's name is not a plain name (a '/', '.', '..' or a control character): refused. */
  | 'unsafe-name'
  /** The source file was deleted while the copy ran. */
  | 'vanished';

/** A path the copy left alone at the destination, and why. Paths come from either side: show them through printable(). */
export interface KeptPath {
  readonly path: string;
  readonly reason: KeptReason;
}

/** What a sync did. */
export interface SyncSummary {
  readonly copied: readonly string[];
  readonly skipped: number;
  readonly ignored: number;
  /** Bytes actually sent. */
  readonly bytes: number;
  /** Left as they were, with why (newer at the destination, a link there, an unsafe name, …). */
  readonly kept: readonly KeptPath[];
}

/** How a sync runs. */
export interface SyncOptions {
  /** Replace newer files, links and special files at the destination (never a folder). */
  readonly force?: boolean;
  readonly onProgress?: (progress: CopyProgress) => void;
  /** Files in flight at once (over one sftp channel, as OpenSSH's sftp keeps many requests in flight). */
  readonly concurrency?: number;
}

/** Files copied at once by default: enough to hide the round trips of small files. */
export const COPY_CONCURRENCY = 32;

/** What a sync would copy. */
interface SyncPlan {
  readonly dirs: { readonly path: string; readonly mode: number; readonly replace: boolean }[];
  readonly files: { readonly path: string; readonly entry: FileEntry }[];
  readonly kept: KeptPath[];
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

/** Whether the destination's file was modified after the source's (to the second, as sftp carries it). */
export function newerAtDestination(source: FileEntry, dest: FileEntry): boolean {
  return Math.floor(dest.mtimeMs / 1000) > Math.floor(source.mtimeMs / 1000);
}

/**
 * Whether a name listed by a tree can be joined under a destination: one plain path segment. A
 * compromised box may answer READDIR with `../../.bashrc`, `a/b` or escape sequences (scp's
 * CVE-2019-6111 class); such a name is refused, never joined. A backslash is refused too: it
 * separates folders on Windows.
 */
export function isUnsafeName(name: string): boolean {
  return name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\\') || hasControlCharacters(name);
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

/**
 * Whether a changed path in `source` is one a push would leave out (.git, or ignored by a
 * .gitignore above it), read from the tree as it is now: a training log that changes every 0.1 s
 * is not an edit, and must not hold back the push of one.
 */
export async function isIgnoredIn(source: FileTree, path: string): Promise<boolean> {
  if (path === '') return false;
  const parts = path.split('/');
  if (parts.some((part) => ALWAYS_IGNORED.has(part))) return true;
  const rules: Rules[] = [];
  for (let depth = 0; depth < parts.length; depth++) {
    const dir = parts.slice(0, depth).join('/');
    if (depth > 0 && isIgnored(dir, true, rules)) return true;
    const text = await source.readText(join(dir, '.gitignore')).catch(() => null);
    if (text !== null) rules.push(gitignoreRules(dir, text));
  }
  const entry = await source.stat(path).catch(() => null);
  return isIgnored(path, entry?.kind === 'dir', rules);
}

/** Why something at the destination that is not a plain file or folder is kept. */
function oddKind(dest: FileEntry): KeptReason {
  return dest.kind === 'link' ? 'link' : 'special';
}

/** Walks the source, comparing each folder with the same folder at the destination. */
async function planSync(source: FileTree, dest: FileTree, force: boolean): Promise<SyncPlan> {
  const plan: SyncPlan = { dirs: [], files: [], kept: [], skipped: 0, ignored: 0 };
  /** Plans one file against what is at its destination path. */
  const planFile = (path: string, entry: FileEntry, current: FileEntry | null | undefined): void => {
    if (current?.kind === 'dir') plan.kept.push({ path, reason: 'folder' });
    else if ((current?.kind === 'link' || current?.kind === 'other') && !force) plan.kept.push({ path, reason: oddKind(current) });
    else if (sameFile(entry, current)) plan.skipped += 1;
    else if (current?.kind === 'file' && newerAtDestination(entry, current) && !force) plan.kept.push({ path, reason: 'newer' });
    else plan.files.push({ path, entry });
  };
  /** `destEmpty`: the folder is new at the destination (or replaces a link), so nothing there is listed. */
  const walk = async (dir: string, inherited: readonly Rules[], destEmpty: boolean): Promise<void> => {
    const [entries, there] = await Promise.all([source.list(dir), destEmpty ? [] : dest.list(dir)]);
    const existing = new Map(there.map((entry) => [entry.name, entry]));
    const gitignore = entries.some((entry) => entry.name === '.gitignore' && entry.kind === 'file') ? await source.readText(join(dir, '.gitignore')) : null;
    const rules = gitignore === null ? inherited : [...inherited, gitignoreRules(dir, gitignore)];
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: { path: string; fresh: boolean }[] = [];
    for (const entry of sorted) {
      if (isUnsafeName(entry.name)) {
        plan.kept.push({ path: join(dir, entry.name), reason: 'unsafe-name' });
        continue;
      }
      const path = join(dir, entry.name);
      if (entry.kind === 'other' || entry.kind === 'link') continue;
      if (isIgnored(path, entry.kind === 'dir', rules)) {
        plan.ignored += 1;
        continue;
      }
      const current = existing.get(entry.name);
      if (entry.kind === 'file') {
        planFile(path, entry, current);
      } else if (current?.kind === 'dir') {
        subdirs.push({ path, fresh: false });
      } else if (current === undefined) {
        plan.dirs.push({ path, mode: entry.mode, replace: false });
        subdirs.push({ path, fresh: true });
      } else if (force) {
        // A link (or file) where a folder goes: replaced by the folder, never followed.
        plan.dirs.push({ path, mode: entry.mode, replace: true });
        subdirs.push({ path, fresh: true });
      } else {
        plan.kept.push({ path, reason: current.kind === 'file' ? 'not-a-folder' : oddKind(current) });
      }
    }
    for (const sub of subdirs) await walk(sub.path, rules, sub.fresh);
  };
  const root = await source.stat('');
  if (root === null) throw new Error('the source does not exist');
  if (root.kind === 'file') {
    // One file: the trees are rooted at the file itself.
    planFile('', root, await dest.stat(''));
  } else {
    const there = await dest.stat('');
    if (there === null) plan.dirs.push({ path: '', mode: root.mode, replace: false });
    await walk('', [], there === null);
  }
  return plan;
}

/**
 * Copies what differs from `source` to `dest`: new and changed files (size or modification time),
 * with their modes and times, several at a time; never `.git`, nor what a .gitignore in the source
 * ignores. Deletes nothing at the destination, and without `force` replaces nothing newer than
 * the source nor anything that is not a plain file (those are listed in `kept`, with why).
 */
export async function syncTree(source: FileTree, dest: FileTree, copier: FileCopier, options: SyncOptions = {}): Promise<SyncSummary> {
  const plan = await planSync(source, dest, options.force === true);
  // Parents come before their children in the plan.
  for (const dir of plan.dirs) await copier.makeDir(dir.path, dir.mode, { replace: dir.replace });
  const bytesTotal = plan.files.reduce((sum, file) => sum + file.entry.size, 0);
  const copied: string[] = [];
  const kept = [...plan.kept];
  let bytesDone = 0;
  let filesDone = 0;
  let next = 0;
  const copyOne = async (index: number): Promise<void> => {
    const { path, entry } = plan.files[index]!;
    let sent = 0;
    const report = (fileBytes: number): void => {
      bytesDone += fileBytes - sent;
      sent = fileBytes;
      options.onProgress?.({ path, fileBytes, fileSize: entry.size, fileNumber: index + 1, filesDone, filesTotal: plan.files.length, bytesDone, bytesTotal });
    };
    report(0);
    const outcome = await copier.copyFile(path, entry, report);
    filesDone += 1;
    if (outcome.kind === 'vanished') {
      bytesDone -= sent;
      kept.push({ path, reason: 'vanished' });
      return;
    }
    // What was sent, not what the plan saw (a file truncated since then sends less).
    report(outcome.bytes);
    copied.push(path);
  };
  let failed = false;
  const worker = async (): Promise<void> => {
    try {
      while (!failed && next < plan.files.length) await copyOne(next++);
    } catch (error) {
      // The first failure stops the others taking new files; what is in flight finishes.
      failed = true;
      throw error;
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? COPY_CONCURRENCY, plan.files.length));
  const results = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  const order = new Map(plan.files.map((file, index) => [file.path, index]));
  copied.sort((a, b) => order.get(a)! - order.get(b)!);
  return { copied, skipped: plan.skipped, ignored: plan.ignored, bytes: bytesDone, kept };
}

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
