import { realpath } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { posix } from 'node:path';
import ora from 'ora';
import { Option } from 'commander';
import { CloudRigError, type CopyProgress, type FileCopier, type FileTree, isIgnoredIn, type KeptPath, type Rig, type SyncSummary, syncTree, validateName, watchAndSync } from '../core/app/face.js';
import { byteSize } from '../shared/byte-size.js';
import { hasControlCharacters, printable } from '../shared/untrusted-text.js';
import type { ExitStatus } from './exit-status.js';
import { isInteractive, jsonText, lineWriter, type Io } from './output.js';
import { copyJson } from './command-json.js';
import type { CommandRegistrar } from './program.js';
import { untilInterrupted, watchFailures } from './remote-session.js';
import { keptSession } from './kept-session.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';

/**
 * `rig push [name] LOCAL [REMOTE]`: with two words, the first is the name only when it names a
 * workstation; with three, the first is the name (an unknown one is then said to be unknown).
 */
export function splitNameAndPaths(words: readonly string[], names: readonly string[]): { name: string | undefined; paths: string[] } {
  const [first, ...rest] = words;
  if (first !== undefined && (rest.length > 1 || (rest.length > 0 && names.includes(first)))) return { name: validateName(first, 'nameArgument'), paths: rest };
  return { name: undefined, paths: [...words] };
}

const COPY_USAGE = {
  push: 'rig push takes a local path and, optionally, where it goes.',
  pull: 'rig pull takes a path on the workstation and, optionally, where it goes here.',
} as const;

/** The workstation `rig push`/`rig pull` acts on and its one or two paths, or the usage error. */
async function copyArguments(c: Rig, io: Io, words: readonly (string | undefined)[], direction: 'push' | 'pull'): Promise<{ name: string; paths: string[] }> {
  const split = splitNameAndPaths(words.filter((word) => word !== undefined), c.names());
  const name = await workstationFor(c, io, split.name);
  if (split.paths.length < 1 || split.paths.length > 2) throw new CloudRigError('InvalidInput', COPY_USAGE[direction], { action: 'copy-usage', direction });
  return { name, paths: split.paths };
}

function checkedPath(path: string, what: string): string {
  if (path === '' || hasControlCharacters(path)) {
    throw new CloudRigError('InvalidInput', `${JSON.stringify(path)} is not a usable ${what} path.`,
      { action: 'correct-input', field: 'folder', hint: `pass a ${what} path without control characters, e.g. ./project.` });
  }
  return path;
}

/** Sizes as the app's push folder shows them too. */
const size = byteSize;

/** Progress on stderr: a spinner with the bytes on a terminal, one line per file otherwise. */
function progressPrinter(io: Io, arrow: string): { onProgress: (progress: CopyProgress) => void; done: () => void } {
  const interactive = isInteractive(io.stderr, io.env);
  const spinner = interactive ? ora({ text: 'Comparing…', stream: io.stderr }).start() : null;
  return {
    onProgress: (p) => {
      // Names may come from the box: shown escaped, never as terminal instructions.
      const name = p.path === '' ? '(file)' : printable(p.path);
      if (spinner) {
        spinner.text = `${arrow} ${name}  ${p.filesDone}/${p.filesTotal} files · ${size(p.bytesDone)} of ${size(p.bytesTotal)}`;
      } else if (p.fileBytes === 0) {
        io.stderr.write(`${arrow} ${name} (${size(p.fileSize)}) [${p.fileNumber}/${p.filesTotal}]\n`);
      }
    },
    done: () => spinner?.stop(),
  };
}

function summaryLine(summary: SyncSummary, where: string): string {
  const copied = summary.copied.length === 0 ? 'Nothing to copy' : `Copied ${summary.copied.length} file${summary.copied.length === 1 ? '' : 's'} (${size(summary.bytes)})`;
  const skipped = summary.skipped ? `, ${summary.skipped} unchanged` : '';
  const ignored = summary.ignored ? `, ${summary.ignored} ignored (.git, .gitignore)` : '';
  const kept = summary.kept.length ? `, ${summary.kept.length} not copied (listed above)` : '';
  return `${copied} to ${where}${skipped}${ignored}${kept}.`;
}

/** The two sides of a copy, as the lines about kept files name them. */
interface Sides {
  readonly source: string;
  readonly dest: string;
}

/** One line for a path a copy left alone, with why and what changes that (names shown escaped). */
export function keptLine(kept: KeptPath, sides: Sides): string {
  const path = kept.path === '' ? '(the file)' : printable(kept.path);
  switch (kept.reason) {
    case 'newer': return `skipped ${path}: newer on ${sides.dest}: kept; --force replaces it`;
    case 'link': return `skipped ${path}: a symbolic link on ${sides.dest}: not written through; --force replaces the link`;
    case 'special': return `skipped ${path}: a FIFO, device or socket on ${sides.dest}: kept; --force replaces it`;
    case 'not-a-folder': return `skipped ${path}: a file on ${sides.dest} where a folder goes: kept; --force replaces it`;
    case 'folder': return `skipped ${path}: a folder on ${sides.dest} where a file goes: kept; remove the folder to copy the file`;
    case 'unsafe-name': return `refused ${path} from ${sides.source}: not a plain file name (a '/', '\\', '.', '..' or a control character); nothing written for it`;
    case 'vanished': return `skipped ${path}: vanished from ${sides.source} while copying`;
  }
}

/**
 * Waits for `copy`, or for Ctrl-C: then the copies under way are abandoned (their temporary files
 * removed, the files they would have replaced untouched) and the result is null.
 */
async function untilCopiedOrInterrupted(copier: FileCopier, copy: Promise<SyncSummary>): Promise<SyncSummary | null> {
  let stop: () => void = () => undefined;
  const interrupted = new Promise<null>((resolve) => (stop = () => resolve(null)));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const result = await Promise.race([copy, interrupted]);
  if (result !== null) {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return result;
  }
  // Interrupted: the listeners stay until rig exits with 130. Without one, a library's exit hook
  // (signal-exit, under the settings lock) that re-raises the signal would kill rig by the signal
  // while it cleans up, and the shell would see no exit code (a clean-clone CI run saw that).
  // The copies under way may never settle now: their failure is not news.
  copy.catch(() => undefined);
  await copier.abandon();
  return null;
}

/** What Ctrl-C during a copy says, and its exit code. */
function interruptedCopy(io: Io, exit: ExitStatus, command: string): void {
  io.stderr.write(`Interrupted: files copied before Ctrl-C are in place; those under way were not written (their old copies, if any, are untouched). Run the same ${command} again to finish.\n`);
  exit.set(130);
}

/** The top-level path the user named, with links resolved (a link is allowed there, and only there). */
async function named(path: string): Promise<string> {
  const absolute = resolve(path);
  return realpath(absolute).catch(() => absolute);
}

/** Whether `folder` is the current folder or one it is in. */
function holdsCwd(folder: string): boolean {
  const rel = relative(folder, process.cwd());
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** `rig push` and `rig pull`: copies over the workstation's sftp channel that skip what already matches. */
export const registerFileCommands: CommandRegistrar = (program, { rig, io, exit }) => {
  const out = lineWriter(io.stdout);

  program
    .command('push')
    .argument('[name]', WORKSTATION_ARGUMENT)
    .argument('[paths...]', 'LOCAL [REMOTE]: a file or folder here, and where it goes (default ~/<its name>)')
    .description('Copy a file or folder to the workstation over sftp: changed files only, modes kept; --watch keeps pushing edits.')
    .option('--watch', 'keep pushing local edits until Ctrl-C (ignores .git and what .gitignore ignores)')
    .option('--force', 'replace files that are newer on the workstation, and links or special files where a file goes')
    .addOption(new Option('--json', 'print { name, from, to, copied, skipped, ignored, bytes, kept } once copied').conflicts('watch'))
    .action(async (first: string | undefined, more: string[], opts: { watch?: boolean; force?: boolean; json?: boolean }) => {
      const c = await rig();
      const { name, paths } = await copyArguments(c, io, [first, ...more], 'push');
      const local = await named(checkedPath(paths[0]!, 'local'));
      // The same push as the popover's Push now (push.ts): the local side checked before any ssh.
      const pushing = await c.connect.push({
        name,
        local,
        // Named after what the user typed (`rig push ./current` goes to ~/current, whatever the link points to).
        remote: checkedPath(paths[1] ?? `~/${basename(resolve(paths[0]!))}`, 'remote'),
        unusable: () => new CloudRigError('InvalidInput', `${local} is not a file or folder.`, { action: 'correct-input', field: 'folder', hint: 'pass an existing file or folder to push.' }),
      });
      const { session, source, remoteRoot: remote } = pushing;
      const box = session.target.workstation ?? 'the workstation';
      const where = `${box}:${remote === '.' ? '~' : remote}`;
      let lastKept = '';
      /** One push; null when Ctrl-C interrupted it (`interruptible`: the watch has its own Ctrl-C). */
      const push = async (interruptible: boolean): Promise<SyncSummary | null> => {
        const printer = progressPrinter(io, '↑');
        let summary: SyncSummary | null;
        try {
          const { copier, summary: copy } = pushing.copy({ force: opts.force === true, onProgress: printer.onProgress });
          summary = interruptible ? await untilCopiedOrInterrupted(copier, copy) : await copy;
        } finally {
          printer.done();
        }
        if (summary === null) return null;
        // A watch says the same kept files once, not at every push.
        const lines = summary.kept.map((kept) => keptLine(kept, { source: 'this computer', dest: box }));
        if (lines.join('\n') !== lastKept) for (const line of lines) io.stderr.write(`${line}\n`);
        lastKept = lines.join('\n');
        return summary;
      };
      try {
        const first = await push(true);
        if (first === null) return interruptedCopy(io, exit, 'rig push');
        if (opts.json) return out(jsonText(copyJson(name, { from: local, to: where }, first), 2));
        out(summaryLine(first, where));
        if (!opts.watch) return;
        const controller = new AbortController();
        const interrupted = untilInterrupted(controller);
        // Bound to the instance pushed to first: once it ends, the watch ends, sending nothing anywhere else.
        const failures = watchFailures(io.stderr, controller, { session, consequence: 'the watch stopped. Nothing was copied to the new address.' });
        // Back after a sleep or a network change, it pushes at once: an edit whose push failed meanwhile is not left behind.
        let pushNow = (): void => undefined;
        const kept = keptSession(c, session, io, controller.signal, failures.onError, () => pushNow());
        await watchAndSync({
          watcher: c.connect.watchLocal(local, pushing.kind === 'file'),
          clock: c.clock,
          signal: controller.signal,
          // Said only once the watch is in place: an edit made after this line is never missed.
          onWatching: () => out(`Watching ${local} for changes; press Ctrl-C to stop.`),
          // A .gitignored file (a training log rewritten every 0.1 s) is not an edit and never holds one back.
          isIgnored: (path) => isIgnoredIn(source, path),
          sync: async () => {
            const summary = await push(false);
            if (summary?.copied.length) out(summaryLine(summary, where));
          },
          syncNow: (sync) => (pushNow = sync),
          onError: kept.quiet(failures.onError),
        });
        await interrupted;
        failures.rethrow();
        out('Stopped watching.');
      } finally {
        await pushing.close();
      }
    });

  program
    .command('pull')
    .argument('[name]', WORKSTATION_ARGUMENT)
    .argument('[paths...]', 'REMOTE [LOCAL]: a file or folder on the workstation (relative to ~), and where it goes here (default ./<its name>)')
    .description('Copy a file or folder from the workstation over sftp: changed files only, modes kept (masked by your umask).')
    .option('--force', 'replace files that are newer here, and symbolic links or special files where a file goes (replaced, never written through)')
    .option('--json', 'print { name, from, to, copied, skipped, ignored, bytes, kept } once copied (also when names were refused, before the error)')
    .action(async (first: string | undefined, more: string[], opts: { force?: boolean; json?: boolean }) => {
      const c = await rig();
      const { name, paths } = await copyArguments(c, io, [first, ...more], 'pull');
      const remote = c.connect.remoteRoot(checkedPath(paths[0]!, 'remote'));
      const remoteName = posix.basename(posix.normalize(remote));
      // `rig pull ..`, `rig pull ~`, `rig pull /`: a folder with no name of its own would be merged
      // into the current folder or one above it.
      const nameless = remoteName === '' || remoteName === '.' || remoteName === '..';
      const local = await named(checkedPath(paths[1] ?? (nameless ? '.' : remoteName), 'local'));
      if (nameless && (paths[1] === undefined || holdsCwd(local))) {
        throw new CloudRigError('InvalidInput', `rig pull ${paths[0]} would merge that whole folder of the workstation into ${local}${paths[1] === undefined ? '' : ', which holds the current folder'}.`,
          { action: 'pull-into-new-folder', remote: paths[0]! });
      }
      const session = await c.connect.openSession(name);
      try {
        const source: FileTree = session.tree(remote);
        const rootEntry = await source.stat('');
        if (!rootEntry || rootEntry.kind === 'other' || rootEntry.kind === 'link') {
          throw new CloudRigError('InvalidInput', `${paths[0]} is not a file or folder on workstation ${session.target.workstation ?? ''}.`.replace(' .', '.'),
            { action: 'check-remote-path', name: session.target.workstation ?? null });
        }
        const printer = progressPrinter(io, '↓');
        const copier = session.download(remote, local);
        let summary: SyncSummary | null;
        try {
          summary = await untilCopiedOrInterrupted(copier, syncTree(source, c.connect.localTree(local), copier, { force: opts.force === true, onProgress: printer.onProgress }));
        } finally {
          printer.done();
        }
        if (summary === null) return interruptedCopy(io, exit, 'rig pull');
        for (const kept of summary.kept) io.stderr.write(`${keptLine(kept, { source: session.target.workstation ?? 'the workstation', dest: 'this computer' })}\n`);
        const box = session.target.workstation ?? 'the workstation';
        out(opts.json ? jsonText(copyJson(name, { from: `${box}:${remote === '.' ? '~' : remote}`, to: local }, summary), 2) : summaryLine(summary, local));
        // Names no file system of ours should hold came from the box: the rest was copied, but a
        // script must not read this as a clean pull.
        const unsafe = summary.kept.filter((kept) => kept.reason === 'unsafe-name').length;
        if (unsafe > 0) {
          throw new CloudRigError('SftpFailed', `Workstation ${session.target.workstation ?? ''} listed ${unsafe} name${unsafe === 1 ? '' : 's'} that ${unsafe === 1 ? 'is not a plain file name' : 'are not plain file names'} under ${printable(paths[0]!)}; nothing was written for ${unsafe === 1 ? 'it' : 'them'} (the rest was copied).`.replace('Workstation  ', 'The workstation '),
            { action: 'inspect-unsafe-names', name: session.target.workstation ?? null, count: unsafe });
        }
      } finally {
        await session.close();
      }
    });
};
