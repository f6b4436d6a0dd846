import ignore, { type Ignore } from 'ignore';
import { hasControlCharacters } from '../../shared/untrusted-text.js';

/**
 * Files that follow you: `rig push` / `rig pull` copy a tree one way, skipping files whose size
 * and modification time already match and keeping modes (file-sync.ts); `--watch` pushes again
 * after local edits settle (file-watch.ts). Here: the two sides of a copy, what a copy reports,
 * and which files count (a safe name, the same file, the .gitignore rules). Paths are relative to
 * a tree's root, '/'-separated, '' for the root itself.
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

/** Never copied, whatever .gitignore says: the repository's own database. */
export const ALWAYS_IGNORED: ReadonlySet<string> = new Set(['.git']);

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

/** `name` inside the folder `dir` (both tree-relative). */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The .gitignore rules in force in one directory of the source tree. */
export interface Rules {
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
    const text = await source.readText(joinPath(dir, '.gitignore')).catch(() => null);
    if (text !== null) rules.push(gitignoreRules(dir, text));
  }
  const entry = await source.stat(path).catch(() => null);
  return isIgnored(path, entry?.kind === 'dir', rules);
}
