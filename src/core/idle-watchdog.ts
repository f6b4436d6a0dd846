// The idle watchdog that runs on the instance itself (idle-watchdog-installer.ts installs it), seen
// from this side: where it keeps its files, the remote commands that snooze it, register CloudRig's
// monitoring connections and read its view, and the notice for a stop it made.
import type { InstanceFacts } from '../shared/workstation.js';
import { CloudRigError } from './errors.js';
import { formatHourly, formatUsd } from './format.js';
import { shellQuote } from './ssh-command.js';
import { BUSY_REASON_NAME, parseKeepUpReason, type KeepUpReason } from './keep-up-reason.js';

/** Where Snooze writes the keep-alive "until" (epoch seconds) on the instance. */
export const KEEPALIVE_FILE = '/var/lib/cloudrig/keepalive';

/** Where the check script records since when the machine has been idle (epoch seconds). */
export const IDLE_SINCE_FILE = '/run/cloudrig/idle-since';
/** The watchdog's run directory on the instance (tmpfs): the idle marker, the busy reason, the monitors. */
export const RUN_DIR = IDLE_SINCE_FILE.slice(0, IDLE_SINCE_FILE.lastIndexOf('/'));

/**
 * Where CloudRig's kept-alive connections register as monitoring, one file per connection (sticky
 * and world-writable, so the ssh user writes and removes only its own; /run is tmpfs, so the
 * installer's tmpfiles.d line makes it again at every boot, and the check script too).
 */
export const MONITORS_DIR = '/run/cloudrig/monitors';

/** How long a monitor registration holds without a refresh (five checks); older ones count as use again. */
export const MONITOR_FRESH_SECONDS = 300;

/** How often a kept-alive session refreshes its registration while it only monitors. */
export const MONITOR_REFRESH_MS = 60_000;

/** monitorRegisterCommand's exit status when the box's watchdog predates registration (it has /run/cloudrig, no monitors dir). */
export const MONITOR_EXIT_OLD_WATCHDOG = 3;

/** monitorRegisterCommand's exit status when the box has no CloudRig watchdog at all (auto-stop off): nothing to tell. */
export const MONITOR_EXIT_NO_WATCHDOG = 4;

/** The longest snooze CloudRig writes: a week. */
export const MAX_SNOOZE_HOURS = 24 * 7;

/**
 * The remote shell command (POSIX sh, run as the ssh user) that keeps the machine awake until
 * `nowEpochSec + hours`. Hours 0 ends a snooze. Writes atomically; falls back to `sudo -n` where the
 * directory is not the user's (an instance launched before the installer handed it over).
 */
export function snoozeCommand(hours: number, nowEpochSec: number, keepaliveFile: string = KEEPALIVE_FILE): string {
  if (!Number.isFinite(hours) || hours < 0 || hours > MAX_SNOOZE_HOURS) {
    throw new CloudRigError('InvalidSnooze', `Cannot snooze for ${hours} hours.`,
      { action: 'correct-input', field: 'snoozeHours', hint: `give a number of hours from 0 to ${MAX_SNOOZE_HOURS}, e.g. 2.` });
  }
  const until = Math.floor(nowEpochSec) + Math.round(hours * 3_600);
  const file = shellQuote(keepaliveFile);
  return [
    `f=${file}; u=${until}`,
    `{ mkdir -p "\${f%/*}" && printf '%s\\n' "$u" > "$f.tmp" && mv -f "$f.tmp" "$f"; } 2>/dev/null` +
      ` || { sudo -n mkdir -p "\${f%/*}" && printf '%s\\n' "$u" | sudo -n tee "$f" >/dev/null; }`,
    `echo "cloudrig: kept awake until $u"`,
  ].join('; ');
}

// Both commands name the connection by sshd's $SSH_CONNECTION ("client-address client-port
// server-address server-port"), so they carry no value of CloudRig's or the user's but the
// directory, which is a constant (a test's scratch directory in tests).
function monitorFile(dir: string): string {
  return `d=${shellQuote(dir)}; c="$SSH_CONNECTION"; [ -n "$c" ] || exit 5; n="$(printf '%s' "$c" | tr -c '0-9A-Za-z.' '_')"`;
}

/**
 * The remote command (POSIX sh, run as the ssh user over the connection it registers) that records
 * this connection as CloudRig's monitoring, or refreshes that record: the idle check leaves it out
 * of the lasting connections while the record is fresh. Written atomically. Exits
 * MONITOR_EXIT_OLD_WATCHDOG on a box whose watchdog predates registration, MONITOR_EXIT_NO_WATCHDOG
 * on one without a watchdog.
 */
export function monitorRegisterCommand(dir: string = MONITORS_DIR): string {
  return [
    monitorFile(dir),
    `if [ ! -d "$d" ]; then [ -d "\${d%/*}" ] && exit ${MONITOR_EXIT_OLD_WATCHDOG}; exit ${MONITOR_EXIT_NO_WATCHDOG}; fi`,
    `printf '%s\\n' "$c" > "$d/.$n.tmp" && mv -f "$d/.$n.tmp" "$d/$n.monitor"`,
  ].join('; ');
}

/** The remote command that withdraws this connection's monitor record: from now on it counts as use. */
export function monitorUnregisterCommand(dir: string = MONITORS_DIR): string {
  return `${monitorFile(dir)}; rm -f "$d/$n.monitor"`;
}

/**
 * The remote command that reports the watchdog's view: the instance's clock, idle since, keep-alive,
 * and what kept the machine up at the last check. It reads the run directory the check script uses
 * (CLOUDRIG_RUN_DIR on the box, IDLE_SINCE_FILE's by default), and the keep-alive where Snooze
 * writes it (`keepaliveFile`).
 */
export function idleStatusCommand(keepaliveFile: string = KEEPALIVE_FILE): string {
  const runDir = `\${CLOUDRIG_RUN_DIR:-${RUN_DIR}}`;
  return [
    `echo "now=$(date +%s)"`,
    `echo "idle-since=$(cat "${runDir}/idle-since" 2>/dev/null)"`,
    `echo "keepalive=$(cat ${shellQuote(keepaliveFile)} 2>/dev/null)"`,
    // One line, capped: it is the box's text.
    `echo "busy=$(head -c 200 "${runDir}/${BUSY_REASON_NAME}" 2>/dev/null | head -n 1)"`,
  ].join('; ');
}

/** The watchdog's view, in local epoch ms. */
export interface IdleStatus {
  /** Since when the watchdog has seen the machine idle; null when busy or not yet checked. */
  readonly idleSince: number | null;
  /** Until when a snooze keeps it awake; null when none is in force. */
  readonly keptAwakeUntil: number | null;
  /** What kept it up at the watchdog's last check; null (or left out) when idle or not known. */
  readonly keptUpBy?: KeepUpReason | null;
}

/**
 * Parses idleStatusCommand's output; times are shifted by the instance's clock skew against
 * `localNow`, so they compare with local time.
 */
export function parseIdleStatus(stdout: string, localNow: number): IdleStatus {
  const field = (name: string): number | null => {
    const match = stdout.match(new RegExp(`^${name}=(\\d+)\\s*$`, 'm'));
    return match ? Number(match[1]) : null;
  };
  const remoteNow = field('now');
  const toLocal = (sec: number | null): number | null =>
    sec === null ? null : remoteNow === null ? sec * 1_000 : localNow - (remoteNow - sec) * 1_000;
  const idleSince = toLocal(field('idle-since'));
  const keepalive = toLocal(field('keepalive'));
  const keptUpBy = parseKeepUpReason(stdout.match(/^busy=(.*)$/m)?.[1] ?? '', (sec) => toLocal(sec)!);
  return {
    idleSince: idleSince !== null && idleSince <= localNow ? idleSince : null,
    keptAwakeUntil: keepalive !== null && keepalive > localNow ? keepalive : null,
    ...(keptUpBy !== null ? { keptUpBy } : {}),
  };
}

/** True when EC2 says the instance stopped because it shut itself down (the watchdog, or the user). */
export function instanceInitiatedStop(facts: InstanceFacts | null): boolean {
  if (facts === null || (facts.state !== 'stopped' && facts.state !== 'stopping')) return false;
  return facts.stateReason?.includes('InstanceInitiatedShutdown') ?? false;
}

/**
 * What the watchdog's stop has saved so far: the rate times the time since the stop, i.e. what the
 * machine would have cost had it idled on until now.
 */
export function idleStopSavingsUsd(options: { readonly hourlyUsd: number; readonly stoppedAt: number; readonly now: number }): number {
  const hours = Math.max(0, options.now - options.stoppedAt) / 3_600_000;
  return options.hourlyUsd * hours;
}

/** The notification for a stop the watchdog made: not an error, a saving. */
export function idleStopNotice(options: {
  readonly workstation: string;
  readonly idleMinutes: number;
  readonly hourlyUsd: number | null;
  readonly stoppedAt: number;
  readonly now: number;
}): { readonly title: string; readonly body: string } {
  const title = `${options.workstation} stopped itself after ${options.idleMinutes} idle minutes`;
  if (options.hourlyUsd === null) return { title, body: 'Nobody was using it, so it shut itself down.' };
  const saved = idleStopSavingsUsd({ hourlyUsd: options.hourlyUsd, stoppedAt: options.stoppedAt, now: options.now });
  const body = saved >= 0.01
    ? `About ${formatUsd(saved)} saved so far; it would have cost ${formatHourly(options.hourlyUsd)} idling.`
    : `Nobody was using it; every hour it stays stopped saves ${formatUsd(options.hourlyUsd)}.`;
  return { title, body };
}
