import { readFile } from 'node:fs/promises';
import { CloudRigError, toErrorInfo } from '../core/errors.js';
import { followWorkstationSetup, setupFailure, setupOutcomeWords } from '../core/app/setup-script.js';
import { SetupScriptSchema, type Snapshot } from '../shared/workstation.js';
import type { CloudRigCore as Core } from '../core/app/cloudrig-core.js';
import type { Io } from './output.js';
import { printable } from '../shared/untrusted-text.js';

/** The text of `rig init --setup FILE`, checked as the settings schema checks it. */
export async function readSetupScript(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CloudRigError('InvalidInput', `Cannot read the setup script ${path}: ${toErrorInfo(error).message}.`,
      '--setup: name a readable shell script, e.g. --setup ./setup.sh.');
  }
  const checked = SetupScriptSchema.safeParse(text);
  if (!checked.success) {
    throw new CloudRigError('InvalidInput', `The setup script ${path} ${checked.error.issues[0]?.message ?? 'is not valid'}.`,
      '--setup: give a shell script of at most 8 KB (it can download anything larger).');
  }
  return checked.data;
}

/**
 * After `rig up`: follows the setup script's log on the instance until it finishes (a fresh
 * launch), or while it still runs (an instance found or restarted). Throws a CloudRigError when it
 * failed, after printing its last lines.
 */
export async function followSetupAfterUp(core: Core, snapshot: Snapshot, io: Io, signal?: AbortSignal): Promise<void> {
  const dir = process.env.CLOUDRIG_SETUP_DIR || undefined;
  const followed = await followWorkstationSetup(core, snapshot, {
    ...(dir !== undefined ? { dir } : {}),
    ...(signal ? { signal } : {}),
    onFollowing: (mode) => {
      if (mode !== 'attach') io.stderr.write('• Following the setup script on the instance (Ctrl-C stops following; the script keeps running)\n');
    },
    // The log is the box's bytes: escape sequences in it are shown, never obeyed.
    onLine: (line) => io.stdout.write(`setup| ${printable(line)}\n`),
  });
  if (!followed) return;
  const { outcome } = followed;
  const name = snapshot.name;
  const words = setupOutcomeWords(name, outcome);
  if (outcome.kind === 'nothing') return;
  const failure = setupFailure(name, outcome, dir);
  if (!failure) {
    io.stdout.write(`${words.message}${words.next ? ` ${words.next}` : ''}\n`);
    return;
  }
  const lastLines = words.message.split('\n').slice(1);
  if (lastLines.length) io.stderr.write(`${lastLines.map((line) => printable(line)).join('\n')}\n`);
  throw new CloudRigError(failure.code, failure.message, failure.fix);
}
