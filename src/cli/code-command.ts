import { CloudRigError, validateName } from '../core/app/face.js';
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { Option } from 'commander';
import type { CommandRegistrar } from './program.js';
import type { Io } from './output.js';
import { WORKSTATION_ARGUMENT, workstationFor } from './workstation-argument.js';

/** Editors that open a Remote-SSH folder from the command line, in the order tried. */
const EDITORS = ['code', 'cursor'] as const;
type Editor = (typeof EDITORS)[number];

/** The first executable called `name` on PATH (with Windows' extensions), or null. */
async function onPath(name: string, env: Io['env']): Promise<string | null> {
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.CMD;.EXE').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = join(dir, name + extension);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

export { remoteFolder, remoteFolderUri } from '../core/app/face.js';

/** `rig code [name] [PATH]`: opens a folder on the workstation in VS Code (or Cursor) over Remote-SSH. */
export const registerCode: CommandRegistrar = (program, { rig, io }) => {
  program
    .command('code')
    .argument('[name]', WORKSTATION_ARGUMENT)
    .argument('[path]', 'folder on the workstation (default: the login user\'s home)')
    .description('Open a folder on the workstation in VS Code (or Cursor) through Remote-SSH.')
    .addOption(new Option('--editor <editor>', 'which editor to open (default: code when on PATH, else cursor)').choices(EDITORS))
    .action(async (first: string | undefined, second: string | undefined, opts: { editor?: Editor }) => {
      const c = await rig();
      // `rig code /data` with one workstation: the single argument is the folder.
      const isName = first !== undefined && c.names().includes(first);
      const name = isName || second !== undefined ? first : undefined;
      const path = isName ? second : second ?? first;
      const spec = await c.connect.requireSshConfigIncluded(await workstationFor(c, io, name === undefined ? undefined : validateName(name, 'nameArgument')));
      const editors = opts.editor ? [opts.editor] : EDITORS;
      let found: { editor: Editor; bin: string } | null = null;
      for (const editor of editors) {
        const bin = await onPath(editor, io.env);
        if (bin) {
          found = { editor, bin };
          break;
        }
      }
      if (!found) {
        throw new CloudRigError('NoEditor', editors.length === 1 ? `\`${editors[0]}\` is not on PATH.` : 'Neither `code` (VS Code) nor `cursor` (Cursor) is on PATH.',
          { action: 'install-editor' });
      }
      const uri = await c.connect.remoteFolderOfRunning(spec, path);
      const { bin, editor } = found;
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(bin, ['--folder-uri', uri], { stdio: ['ignore', 'inherit', 'inherit'], shell: false, env: io.env });
        child.on('error', (error) => reject(new CloudRigError('EditorFailed', `Could not run ${bin}: ${error.message}.`, { action: 'check-editor', editor, uri: null })));
        child.on('close', (exit) => resolve(exit ?? 1));
      });
      if (code !== 0) throw new CloudRigError('EditorFailed', `${editor} exited with code ${code} opening ${uri}.`, { action: 'check-editor', editor, uri });
      io.stdout.write(`Opened ${uri} in ${editor === 'code' ? 'VS Code' : 'Cursor'}.\n`);
    });
};
