// Set it up once: the workstation's setup script runs on the first boot of a fresh instance, next
// to the idle watchdog in the user data, logging to a file on the box (setup-script-runner.ts). A
// marker on the root volume makes it run once per disk: not again on a restart, and not on an
// instance launched from an image saved after it ran (the image carries the marker). `rig up`
// follows the log over ssh until the script's exit status appears, shows the last lines of a
// failure, and after a success suggests saving an image, so the next launch starts ready.
import type { ErrorInfo, FixStep } from '../../shared/errors.js';
import { shellQuote } from '../ssh-command.js';
import type { Clock } from '../ports.js';
import type { RemoteShell } from './stats.js';
import type { Snapshot } from '../../shared/workstation.js';
import type { CloudRigCore } from './cloudrig-core.js';

/** Where the runner keeps the script, its log, its markers on the instance (root volume). */
export const SETUP_DIR = '/var/lib/cloudrig/setup';
/** The log inside SETUP_DIR. */
export const SETUP_LOG = 'setup.log';

/** The first line of each status answer. */
const STATE_PREFIX = 'cloudrig-setup-state=';

/** The most log lines one status answer carries (the follower asks again for the rest). */
export const SETUP_LINES_PER_READ = 400;
/** A log line longer than this is shown cut (a progress bar that never ends its line). */
export const SETUP_LINE_BYTES = 8192;

/**
 * The remote command (POSIX sh, as the ssh user) that says how the setup stands and prints its log
 * from line `fromLine` (1-based): first a `cloudrig-setup-state=` line, then the log. The state is
 * read before the log, so a "done" answer comes with the whole log (in pieces of at most SETUP_LINES_PER_READ lines).
 */
export function setupStatusCommand(fromLine: number, dir: string = SETUP_DIR): string {
  const line = Math.max(1, Math.trunc(fromLine));
  return [
    `d=${shellQuote(dir)}`,
    `if [ ! -e "$d/started" ]; then s=none`,
    `elif [ -e "$d/exit" ]; then s="done:$(tr -dc 0-9 < "$d/exit")"`,
    // The marker is read once: interrupted only when it names another boot (a boot id has dashes).
    `elif b="$(cat "$d/started" 2>/dev/null)"; [ -r /proc/sys/kernel/random/boot_id ] && case "$b" in *-*) [ "$b" != "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)" ];; *) false;; esac; then s=interrupted`,
    `else s=running; fi`,
    `echo "${STATE_PREFIX}$s"`,
    // Bounded: at most SETUP_LINES_PER_READ lines of at most SETUP_LINE_BYTES each per answer, well
    // under the exec cap, so a huge log (or one endless line) is read in pieces, never refused whole.
    // Only lines complete when counted are sent while the script runs (cut ends a half-written last
    // line with a newline of its own); once done, the last line too.
    `[ -r "$d/${SETUP_LOG}" ] && { k=$(( $(wc -l < "$d/${SETUP_LOG}") - ${line} + 1 )); case "$s" in done:*) k=${SETUP_LINES_PER_READ};; esac`,
    `[ "$k" -gt ${SETUP_LINES_PER_READ} ] && k=${SETUP_LINES_PER_READ}; [ "$k" -gt 0 ] && tail -n +${line} "$d/${SETUP_LOG}" | head -n "$k" | cut -b 1-${SETUP_LINE_BYTES}; }`,
    'true',
  ].join('; ');
}

/** Where the setup stands on the instance. */
export type SetupState =
  | { readonly kind: 'none' }
  | { readonly kind: 'running' }
  /** Started in an earlier boot and never finished: the machine stopped while it ran. */
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'done'; readonly exitCode: number };

/** One status answer: the state and the complete log lines from the line asked for. */
export interface SetupStatus {
  readonly state: SetupState;
  /** Complete lines only (a line still being written is left for the next answer), unless done. */
  readonly lines: readonly string[];
}

/** Parses setupStatusCommand's output; null when it is not one (not CloudRig's command, a broken shell). */
export function parseSetupStatus(stdout: string): SetupStatus | null {
  const newline = stdout.indexOf('\n');
  const head = (newline < 0 ? stdout : stdout.slice(0, newline)).trim();
  if (!head.startsWith(STATE_PREFIX)) return null;
  const value = head.slice(STATE_PREFIX.length);
  const state: SetupState | null = value === 'none' ? { kind: 'none' }
    : value === 'running' ? { kind: 'running' }
      : value === 'interrupted' ? { kind: 'interrupted' }
        : /^done:\d+$/.test(value) ? { kind: 'done', exitCode: Number(value.slice(5)) }
          : null;
  if (state === null) return null;
  const log = newline < 0 ? '' : stdout.slice(newline + 1);
  const parts = log.split('\n');
  const partial = parts.pop() ?? '';
  const lines = state.kind === 'done' && partial !== '' ? [...parts, partial] : parts;
  return { state, lines };
}

/** How a followed setup ended. */
export type SetupOutcome =
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'failed'; readonly exitCode: number; readonly lastLines: readonly string[] }
  | { readonly kind: 'interrupted'; readonly lastLines: readonly string[] }
  /** Ran before this instance existed: on the disk of the saved image it was launched from. */
  | { readonly kind: 'already-ran' }
  /** Never started within the wait (cloud-init did not run it: an image without cloud-init?). */
  | { readonly kind: 'not-started' }
  /** Attaching to an instance this run did not launch, whose setup is not running: nothing to show. */
  | { readonly kind: 'nothing' };

/**
 * Which instance is followed: one launched just now (`fresh`), one launched just now from a saved
 * image (whose disk may carry an earlier run: then nothing is replayed), or one found running or
 * restarted (`attach`: followed only while its setup still runs).
 */
export type FollowMode = 'fresh' | 'fresh-from-saved-image' | 'attach';

/** What following needs. */
export interface FollowSetupOptions {
  /** Where the status command runs: `rig` execs over ssh each time, the app over its kept-alive session. */
  readonly shell: RemoteShell;
  readonly clock: Clock;
  /** Each new log line, in order. */
  readonly onLine: (line: string) => void;
  /** Each state read while following, after that answer's new lines (once the mode's first look found something to follow). */
  readonly onState?: (state: SetupState) => void;
  readonly mode: FollowMode;
  /** How long to wait for cloud-init to start the script. */
  readonly startWaitMs?: number;
  readonly pollMs?: number;
  readonly dir?: string;
  readonly signal?: AbortSignal;
}

const LAST_LINES = 15;
const EXEC_TIMEOUT_MS = 20_000;
/** How often the log is read while following (`rig up` and the popover alike). */
export const SETUP_POLL_MS = 2_000;

/**
 * Follows the setup log until the script's exit status appears. Transient ssh failures are retried
 * (the box is busy installing); only an abort or the start wait ends the follow early.
 */
export async function followSetup(options: FollowSetupOptions): Promise<SetupOutcome> {
  const pollMs = options.pollMs ?? SETUP_POLL_MS;
  const startDeadline = options.clock.now() + (options.startWaitMs ?? 10 * 60_000);
  const recent: string[] = [];
  let nextLine = 1;
  let first = true;
  for (;;) {
    options.signal?.throwIfAborted();
    const answer = await options.shell.exec(setupStatusCommand(nextLine, options.dir), EXEC_TIMEOUT_MS).catch(() => null);
    const status = answer && answer.code === 0 ? parseSetupStatus(answer.stdout) : null;
    if (status) {
      if (first && options.mode === 'fresh-from-saved-image' && status.state.kind === 'done') return { kind: 'already-ran' };
      if (first && options.mode === 'attach' && status.state.kind !== 'running') return { kind: 'nothing' };
      first = false;
      for (const line of status.lines) {
        options.onLine(line);
        recent.push(line);
        if (recent.length > LAST_LINES) recent.shift();
      }
      nextLine += status.lines.length;
      options.onState?.(status.state);
      const state = status.state;
      // A full answer may have more lines behind it: read them before ending on the state.
      if (status.lines.length >= SETUP_LINES_PER_READ) continue;
      if (state.kind === 'done') return state.exitCode === 0 ? { kind: 'succeeded' } : { kind: 'failed', exitCode: state.exitCode, lastLines: recent };
      if (state.kind === 'interrupted') return { kind: 'interrupted', lastLines: recent };
      if (state.kind === 'none' && options.clock.now() >= startDeadline) return { kind: 'not-started' };
    }
    await options.clock.sleep(pollMs, options.signal);
  }
}

/** What to tell the user about an outcome: a headline and what to do next (a failure's fix: setupFailure). */
export function setupOutcomeWords(workstation: string, outcome: SetupOutcome): { readonly ok: boolean; readonly message: string; readonly next: FixStep | null } {
  switch (outcome.kind) {
    case 'succeeded':
      return { ok: true, message: 'The setup script finished.',
        next: { action: 'save-setup-image', name: workstation } };
    case 'already-ran':
      return { ok: true, message: 'The setup script already ran on the saved image this instance was launched from; it is not run again.', next: null };
    case 'failed':
      return { ok: false, message: `The setup script failed (exit ${outcome.exitCode}). Its last lines:\n${outcome.lastLines.map((line) => `  ${line}`).join('\n')}`, next: null };
    case 'interrupted':
      return { ok: false, message: `The setup script was cut off: the instance stopped while it ran. Its last lines:\n${outcome.lastLines.map((line) => `  ${line}`).join('\n')}`, next: null };
    case 'nothing':
      return { ok: true, message: '', next: null };
    case 'not-started':
      return { ok: false, message: 'The setup script has not started on the instance (cloud-init did not run it).', next: null };
  }
}

/** Where the setup log is on the box. */
export function setupLogPath(dir: string = SETUP_DIR): string {
  return `${dir}/${SETUP_LOG}`;
}

/**
 * A setup that did not succeed as an error each face words (its headline, without the last lines,
 * which each face shows its own way); null when the outcome is not a failure.
 */
export function setupFailure(workstation: string, outcome: SetupOutcome, dir: string = SETUP_DIR): ErrorInfo | null {
  const log = setupLogPath(dir);
  switch (outcome.kind) {
    case 'failed':
      return { code: 'SetupScriptFailed', message: `The setup script failed (exit ${outcome.exitCode}).`, fix: { action: 'fix-setup-script', name: workstation, problem: 'failed', log } };
    case 'interrupted':
      return { code: 'SetupScriptIncomplete', message: 'The setup script was cut off: the instance stopped while it ran.', fix: { action: 'fix-setup-script', name: workstation, problem: 'interrupted', log } };
    case 'not-started':
      return { code: 'SetupScriptIncomplete', message: 'The setup script has not started on the instance (cloud-init did not run it).', fix: { action: 'fix-setup-script', name: workstation, problem: 'not-started', log } };
    default:
      return null;
  }
}

/**
 * `rig up`'s follow of a ready workstation's setup script over one-shot ssh execs: fresh when this
 * process just launched the instance (from a saved image or not), else attached. Null when there is
 * no setup script or nothing ready to follow. `onFollowing` says which mode before the first read.
 */
export async function followWorkstationSetup(
  core: CloudRigCore,
  snapshot: Snapshot,
  options: { readonly dir?: string; readonly signal?: AbortSignal; readonly onLine: (line: string) => void; readonly onFollowing?: (mode: FollowMode) => void },
): Promise<{ readonly mode: FollowMode; readonly outcome: SetupOutcome } | null> {
  const spec = core.service.spec(snapshot.name);
  if (!spec.setupScript || snapshot.phase !== 'ready' || !snapshot.instance) return null;
  const launch = core.service.lastLaunch(spec.name);
  const mode: FollowMode = launch?.instanceId !== snapshot.instance.instanceId ? 'attach'
    : launch.fromSavedImage ? 'fresh-from-saved-image' : 'fresh';
  const target = await core.service.sshTarget(spec.name);
  options.onFollowing?.(mode);
  const outcome = await followSetup({
    shell: { exec: (command, timeoutMs) => core.ssh.exec(target, command, timeoutMs) },
    clock: core.clock, mode, onLine: options.onLine,
    ...(options.dir !== undefined ? { dir: options.dir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { mode, outcome };
}
