import { readFile } from 'node:fs/promises';
import { CloudRigError, toErrorInfo } from '../core/errors.js';
import { followWorkstationSetup, setupFailure, setupLogPath, setupOutcomeWords } from '../core/app/setup-script.js';
import { SetupScriptSchema, type Snapshot } from '../shared/workstation.js';
import type { CloudRigCore as Core } from '../core/app/cloudrig-core.js';
import type { Io } from './output.js';

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
export async function followSetupAfterUp(core: Core, snapshot: Snapshot, io: Io, options: FollowAfterUpOptions = {}): Promise<void> {
  const dir = process.env.CLOUDRIG_SETUP_DIR || undefined;
  const name = snapshot.name;
  const spec = core.service.spec(name);
  const instanceId = snapshot.instance?.instanceId;
  const billed = (error: CloudRigError, note = ''): Promise<CloudRigError> => core.service.failureSayingWhatIsBilled(spec, error, note);
  const timeoutMs = options.timeoutMs ?? null;
  const signal = timeoutMs === null ? undefined : AbortSignal.timeout(Math.max(1, timeoutMs));
  let followed: Awaited<ReturnType<typeof followWorkstationSetup>>;
  try {
    followed = await followWorkstationSetup(core, snapshot, {
      ...(dir !== undefined ? { dir } : {}),
      ...(signal ? { signal } : {}),
      onFollowing: (mode) => {
        options.onFollowing?.();
        if (mode !== 'attach') io.stderr.write('• Following the setup script on the instance (Ctrl-C stops following; the script keeps running)\n');
      },
      onLine: (line) => io.stdout.write(`setup| ${line}\n`),
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
  if (instanceId) await core.service.noteSetupOutcome(name, instanceId, failure).catch(() => undefined);
  if (!failure) {
    io.stdout.write(`${words.message}${words.next ? ` ${words.next}` : ''}\n`);
    return;
  }
  const lastLines = words.message.split('\n').slice(1);
  if (lastLines.length) io.stderr.write(`${lastLines.join('\n')}\n`);
  throw await billed(new CloudRigError(failure.code, failure.message, failure.fix));
}
