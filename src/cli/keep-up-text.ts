
/** What `rig status --json` says of the watchdog's view. */
export interface StatusKeepUp {
  /** What keeps the box up, in words ("kernel busy", "ssh session from …", "GPU 87 %", "kept alive until 18:00"); null when idle or not known. */
  readonly keptUpBy: string | null;
  /** Since when the watchdog has seen it idle (ISO 8601); null when in use or not known. */
  readonly idleSince: string | null;
}

/** The watchdog's view as `rig status --json` fields; none when it was not asked or did not answer. */
export function keepUpJson(status: IdleStatus | null, now: number): StatusKeepUp | Record<string, never> {
  if (status === null) return {};
  return { keptUpBy: keptUpText(status, now), idleSince: status.keptAwakeUntil === null && status.idleSince !== null ? new Date(status.idleSince).toISOString() : null };
}

function keptUpText(status: IdleStatus, now: number): string | null {
  if (status.keptAwakeUntil !== null) return keepUpReasonText({ kind: 'keepalive', until: status.keptAwakeUntil }, now);
  return status.keptUpBy ? keepUpReasonText(status.keptUpBy, now) : null;
}

/** `rig status`'s line for the watchdog's view: what keeps the box up, or how long it has been idle. */
export function keepUpLine(status: IdleStatus | null, now: number): string | null {
  if (status === null) return null;
  const keptUpBy = keptUpText(status, now);
  if (keptUpBy !== null) return `Kept up: ${keptUpBy}.`;
  if (status.idleSince !== null) return `Idle for ${hoursAndMinutes(Math.max(0, now - status.idleSince))}.`;
  return null;
}import { hoursAndMinutes, type IdleStatus, keepUpReasonText } from '../core/app/face.js';

