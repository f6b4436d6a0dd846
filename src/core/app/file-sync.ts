// Copying what differs from one tree to another (`rig push`, `rig pull`, the app's Push now): a plan
// made by walking both trees, then the files copied several at a time. See files.ts for the trees.
import { gitignoreRules, isIgnored, isUnsafeName, joinPath, newerAtDestination, sameFile, type CopyProgress, type FileCopier, type FileEntry, type FileTree, type KeptPath, type KeptReason, type Rules, type SyncSummary } from './files.js';
import { inTurns } from '../in-turns.js';

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
    const gitignore = entries.some((entry) => entry.name === '.gitignore' && entry.kind === 'file') ? await source.readText(joinPath(dir, '.gitignore')) : null;
    const rules = gitignore === null ? inherited : [...inherited, gitignoreRules(dir, gitignore)];
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: { path: string; fresh: boolean }[] = [];
    for (const entry of sorted) {
      if (isUnsafeName(entry.name)) {
        plan.kept.push({ path: joinPath(dir, entry.name), reason: 'unsafe-name' });
        continue;
      }
      const path = joinPath(dir, entry.name);
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
  // The first failure stops the others taking new files; what is in flight finishes.
  await inTurns(plan.files.length, options.concurrency ?? COPY_CONCURRENCY, copyOne);
  const order = new Map(plan.files.map((file, index) => [file.path, index]));
  copied.sort((a, b) => order.get(a)! - order.get(b)!);
  return { copied, skipped: plan.skipped, ignored: plan.ignored, bytes: bytesDone, kept };
}
