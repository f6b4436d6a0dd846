import { basename, resolve } from 'node:path';
import { posix } from 'node:path';
import ora from 'ora';
import { CloudRigError } from '../core/errors.js';
import { syncTree, watchAndSync, type CopyProgress, type FileTree, type SyncSummary } from '../core/app/files.js';
import { validateName } from '../core/validate.js';
import { byteSize } from '../shared/byte-size.js';
import { lineWriter, type Io } from './output.js';
import type { CommandRegistrar } from './program.js';
import { openSession, untilInterrupted, watchFailures } from './remote-session.js';

/** `rig push [name] LOCAL [REMOTE]`: with two words, the first is the name only when it names a workstation. */
export function splitNameAndPaths(words: readonly string[], names: readonly string[]): { name: string | undefined; paths: string[] } {
  const [first, ...rest] = words;
  if (first !== undefined && rest.length > 0 && names.includes(first)) return { name: validateName(first, 'NAME'), paths: rest };
  return { name: undefined, paths: [...words] };
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkedPath(path: string, what: string): string {
  if (path === '' || CONTROL.test(path)) {
    throw new CloudRigError('InvalidInput', `${JSON.stringify(path)} is not a usable ${what} path.`, `Pass a ${what} path without control characters, e.g. ./project.`);
  }
  return path;
}

/** Sizes as the app's push folder shows them too. */
const size = byteSize;

/** Progress on stderr: a spinner with the bytes on a terminal, one line per file otherwise. */
function progressPrinter(io: Io, arrow: string): { onProgress: (progress: CopyProgress) => void; done: () => void } {
  const interactive = Boolean(io.stderr.isTTY) && !process.env.CI;
  const spinner = interactive ? ora({ text: 'Comparing…', stream: io.stderr }).start() : null;
  return {
    onProgress: (p) => {
      if (spinner) {
        spinner.text = `${arrow} ${p.path || '(file)'}  ${p.filesDone + 1}/${p.filesTotal} files · ${size(p.bytesDone)} of ${size(p.bytesTotal)}`;
      } else if (p.fileBytes === 0) {
        io.stderr.write(`${arrow} ${p.path || '(file)'} (${size(p.fileSize)}) [${p.filesDone + 1}/${p.filesTotal}]\n`);
      }
    },
    done: () => spinner?.stop(),
  };
}

function summaryLine(summary: SyncSummary, where: string): string {
  const copied = summary.copied.length === 0 ? 'Nothing to copy' : `Copied ${summary.copied.length} file${summary.copied.length === 1 ? '' : 's'} (${size(summary.bytes)})`;
  const skipped = summary.skipped ? `, ${summary.skipped} unchanged` : '';
  const ignored = summary.ignored ? `, ${summary.ignored} ignored (.git, .gitignore)` : '';
  return `${copied} to ${where}${skipped}${ignored}.`;
}

/** `rig push` and `rig pull`: copies over the workstation's sftp channel that skip what already matches. */
export const registerFileCommands: CommandRegistrar = (program, { core, io }) => {
  const out = lineWriter(io.stdout);

  program
    .command('push')
    .argument('[name]', 'workstation name (optional when there is one)')
    .argument('[paths...]', 'LOCAL [REMOTE]: a file or folder here, and where it goes (default ~/<its name>)')
    .description('Copy a file or folder to the workstation over sftp: changed files only, modes kept; --watch keeps pushing edits.')
    .option('--watch', 'keep pushing local edits until Ctrl-C (ignores .git and what .gitignore ignores)')
    .action(async (first: string | undefined, more: string[], opts: { watch?: boolean }) => {
      const c = await core();
      const { name, paths } = splitNameAndPaths([...(first === undefined ? [] : [first]), ...more], c.service.names());
      if (paths.length < 1 || paths.length > 2) {
        throw new CloudRigError('InvalidInput', 'rig push takes a local path and, optionally, where it goes.', 'Run e.g. `rig push ./project` or `rig push ./project ~/work/project`.');
      }
      const local = resolve(checkedPath(paths[0]!, 'local'));
      const source = c.remote.localTree(local);
      const rootEntry = await source.stat('');
      if (!rootEntry || rootEntry.kind === 'other') {
        throw new CloudRigError('InvalidInput', `${local} is not a file or folder.`, 'Pass an existing file or folder to push.');
      }
      const remote = c.remote.remoteRoot(checkedPath(paths[1] ?? `~/${basename(local)}`, 'remote'));
      const session = await openSession(c, name);
      const where = `${session.target.workstation ?? 'the workstation'}:${remote === '.' ? '~' : remote}`;
      const push = async (): Promise<SyncSummary> => {
        const printer = progressPrinter(io, '↑');
        try {
          return await syncTree(source, session.tree(remote), session.upload(local, remote), printer.onProgress);
        } finally {
          printer.done();
        }
      };
      try {
        out(summaryLine(await push(), where));
        if (!opts.watch) return;
        const controller = new AbortController();
        const interrupted = untilInterrupted(controller);
        // Bound to the instance pushed to first: once it ends, the watch ends, sending nothing anywhere else.
        const failures = watchFailures(io.stderr, controller, { session, consequence: 'the watch stopped. Nothing was copied to the new address.' });
        await watchAndSync({
          watcher: c.remote.watchLocal(local, rootEntry.kind === 'file'),
          clock: c.clock,
          signal: controller.signal,
          // Said only once the watch is in place: an edit made after this line is never missed.
          onWatching: () => out(`Watching ${local} for changes; press Ctrl-C to stop.`),
          sync: async () => {
            const summary = await push();
            if (summary.copied.length) out(summaryLine(summary, where));
          },
          onError: failures.onError,
        });
        await interrupted;
        failures.rethrow();
        out('Stopped watching.');
      } finally {
        await session.close();
      }
    });

  program
    .command('pull')
    .argument('[name]', 'workstation name (optional when there is one)')
    .argument('[paths...]', 'REMOTE [LOCAL]: a file or folder on the workstation (relative to ~), and where it goes here (default ./<its name>)')
    .description('Copy a file or folder from the workstation over sftp: changed files only, modes kept.')
    .action(async (first: string | undefined, more: string[]) => {
      const c = await core();
      const { name, paths } = splitNameAndPaths([...(first === undefined ? [] : [first]), ...more], c.service.names());
      if (paths.length < 1 || paths.length > 2) {
        throw new CloudRigError('InvalidInput', 'rig pull takes a path on the workstation and, optionally, where it goes here.', 'Run e.g. `rig pull results` or `rig pull ~/work/results ./results`.');
      }
      const remote = c.remote.remoteRoot(checkedPath(paths[0]!, 'remote'));
      const local = resolve(checkedPath(paths[1] ?? (posix.basename(remote) === '.' ? '.' : posix.basename(remote)), 'local'));
      const session = await openSession(c, name);
      try {
        const source: FileTree = session.tree(remote);
        const rootEntry = await source.stat('');
        if (!rootEntry || rootEntry.kind === 'other') {
          throw new CloudRigError('InvalidInput', `${paths[0]} is not a file or folder on workstation ${session.target.workstation ?? ''}.`.replace(' .', '.'),
            'Check the path with `rig ssh -- ls -la PATH` (relative paths start in the login user\'s home).');
        }
        const printer = progressPrinter(io, '↓');
        let summary: SyncSummary;
        try {
          summary = await syncTree(source, c.remote.localTree(local), session.download(remote, local), printer.onProgress);
        } finally {
          printer.done();
        }
        out(summaryLine(summary, local));
      } finally {
        await session.close();
      }
    });
};
