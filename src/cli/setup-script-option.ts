import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { printable } from '../shared/untrusted-text.js';
import { SETUP_SCRIPT_MAX_BYTES, SetupScriptSchema, type Snapshot } from '../shared/workstation.js';
import { CloudRigError, type Rig, setupFailure, setupLogPath, setupOutcomeWords, toErrorInfo, validateSetupScript } from '../core/app/face.js';
import type { Io } from './output.js';
import { cliFix } from './fix-wording.js';

/** What a path names, when it is not a regular file. */
function notAFile(stats: Stats): string | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a path could not be stat'ed or opened, in words rather than errno text. */
function unreadable(path: string, error: unknown): CloudRigError {
  const code = (error as { code?: unknown } | null)?.code;
  const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'you may not read it'
    : code === 'ENOTDIR' ? 'part of the path is a file, not a folder' : toErrorInfo(error).message;
  return new CloudRigError('InvalidInput', `Cannot read the setup script ${printable(path)}: ${why}.`,
    { action: 'correct-input', field: 'setupScript', hint: 'name a readable shell script, e.g. --setup ./setup.sh.' });
}

function refused(path: string, why: string, hint = 'name a shell script saved as a regular file, e.g. --setup ./setup.sh.'): CloudRigError {
  return new CloudRigError('InvalidInput', `The setup script ${printable(path)} ${why}.`, { action: 'correct-input', field: 'setupScript', hint });
}

const TOO_LARGE_HINT = `keep it to ${SETUP_SCRIPT_MAX_BYTES} bytes and have it download anything larger.`;

/**
 * The text of `rig init --setup FILE`, checked where it enters: a regular file only (a FIFO would
 * block the open and a device would be read without end), its size checked before it is read,
 * UTF-8 text within the settings schema's limit, and neither Windows line endings nor the
 * user-data boundary text (validateSetupScript), each refused with its own fix.
 */
export async function readSetupScript(path: string): Promise<string> {
  // stat first: it never opens the file, so a FIFO cannot block and a device is not read.
  const stats = await stat(path).catch((error: unknown) => {
    throw unreadable(path, error);
  });
  const kind = notAFile(stats);
  if (kind !== null) throw refused(path, `is ${kind}, not a file`);
  if (stats.size > SETUP_SCRIPT_MAX_BYTES) throw refused(path, `is ${stats.size} bytes; a setup script may have at most ${SETUP_SCRIPT_MAX_BYTES}`, TOO_LARGE_HINT);
  // The path could be swapped between the stat and the open: O_NONBLOCK keeps a FIFO from blocking
  // the open, the handle is checked again, and at most one byte past the limit is read.
  let bytes: Buffer;
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    try {
      const opened = notAFile(await handle.stat());
      if (opened !== null) throw refused(path, `is ${opened}, not a file`);
      const buffer = Buffer.alloc(SETUP_SCRIPT_MAX_BYTES + 1);
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      bytes = buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof CloudRigError) throw error;
    throw unreadable(path, error);
  }
  if (bytes.length > SETUP_SCRIPT_MAX_BYTES) throw refused(path, `is over ${SETUP_SCRIPT_MAX_BYTES} bytes`, TOO_LARGE_HINT);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refused(path, 'is not UTF-8 text', 'save it as UTF-8 text (a shell script), e.g. --setup ./setup.sh.');
  }
  const checked = SetupScriptSchema.safeParse(text);
  if (!checked.success) {
    throw new CloudRigError('InvalidInput', `The setup script ${printable(path)} ${checked.error.issues[0]?.message ?? 'is not valid'}.`,
      { action: 'correct-input', field: 'setupScript', hint: `give a shell script of at most ${SETUP_SCRIPT_MAX_BYTES} bytes (it can download anything larger).` });
  }
  return validateSetupScript(checked.data, 'setupScript', printable(path));
}

/** How `rig up` follows the setup: within what is left of its --timeout (null: until it ends), telling who tracks the billed instance. */
export interface FollowAfterUpOptions {
  readonly timeoutMs?: number | null;
  readonly onFollowing?: () => void;
}

/**
 * After `rig up`: follows the setup script's log on the instance until it finishes (a fresh
 * launch), or while it still runs (an instance found or restarted). Throws a CloudRigError when it
 * failed, after printing its last lines; the error says the instance runs and is billed, and the
 * failure is remembered for that instance (`rig status`, the next `rig up` and the app say it).
 * A failure remembered from before (an instance found running) fails the same way, without a replay.
 */
export async function followSetupAfterUp(rig: Rig, snapshot: Snapshot, io: Io, options: FollowAfterUpOptions = {}): Promise<void> {
  const dir = io.env.CLOUDRIG_SETUP_DIR || undefined;
  const name = snapshot.name;
  const spec = rig.spec(name);
  const instanceId = snapshot.instance?.instanceId;
  const billed = (error: CloudRigError, note = ''): Promise<CloudRigError> => rig.failureSayingWhatIsBilled(spec.name, error, note);
  const timeoutMs = options.timeoutMs ?? null;
  const signal = timeoutMs === null ? undefined : AbortSignal.timeout(Math.max(1, timeoutMs));
  let followed: Awaited<ReturnType<Rig['followSetup']>>;
  try {
    followed = await rig.followSetup(snapshot, {
      ...(dir !== undefined ? { dir } : {}),
      ...(signal ? { signal } : {}),
      onFollowing: (mode) => {
        options.onFollowing?.();
        if (mode !== 'attach') io.stderr.write('• Following the setup script on the instance (Ctrl-C stops following; the script keeps running)\n');
      },
      // The log is the box's bytes: escape sequences in it are shown, never obeyed.
      onLine: (line) => io.stdout.write(`setup| ${printable(line)}\n`),
    });
  } catch (error) {
    if (!signal?.aborted) throw error;
    throw await billed(new CloudRigError('Timeout', `Stopped following the setup script of ${name}: --timeout ran out; the script keeps running on the instance.`,
      { action: 'follow-setup', name, log: setupLogPath(dir) }));
  }
  const outcome = followed?.outcome ?? { kind: 'nothing' as const };
  const words = setupOutcomeWords(name, outcome);
  if (outcome.kind === 'nothing') {
    // Nothing runs now; a failure this instance had before is not forgotten.
    if (snapshot.setupFailure) {
      const failure = snapshot.setupFailure;
      throw await billed(new CloudRigError(failure.code, `${failure.message.replace(/\.$/, '')} on ${instanceId} when it was launched; it was not run again.`, failure.fix));
    }
    return;
  }
  const failure = setupFailure(name, outcome, dir);
  if (instanceId) await rig.noteSetupOutcome(name, instanceId, failure).catch(() => undefined);
  if (!failure) {
    io.stdout.write(`${words.message}${words.next ? ` ${cliFix(words.next)}` : ''}\n`);
    return;
  }
  const lastLines = words.message.split('\n').slice(1);
  if (lastLines.length) io.stderr.write(`${lastLines.map((line) => printable(line)).join('\n')}\n`);
  throw await billed(new CloudRigError(failure.code, failure.message, failure.fix));
}
