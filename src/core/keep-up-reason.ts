// What keeps a workstation up, as its watchdog saw it at the last check: the one line the check
// script writes (idle-watchdog.ts), read back over ssh and worded for the app and `rig status`.
// The line comes from the box, so it is parsed strictly: an address that does not look like one is
// dropped, an unknown line becomes "in use" and none of its text is shown.

/** What kept the machine from counting as idle at the watchdog's last check. */
export type KeepUpReason =
  | { readonly kind: 'kernel' }
  | { readonly kind: 'ssh'; readonly from: string | null }
  | { readonly kind: 'login'; readonly from: string | null }
  | { readonly kind: 'gpu'; readonly percent: number }
  /** `until` is local epoch ms (the box's clock skew taken out). */
  | { readonly kind: 'keepalive'; readonly until: number }
  | { readonly kind: 'other' };

/** Where the check script writes its reason, in its run directory. */
export const BUSY_REASON_NAME = 'busy-reason';

const ADDRESS = /^[0-9A-Fa-f.:]{1,45}$/;

function address(text: string | undefined): string | null {
  return text !== undefined && ADDRESS.test(text) && /[.:]/.test(text) ? text : null;
}

/**
 * The reason in the check script's line, or null when it wrote none (idle). `toLocal` turns the
 * box's epoch seconds into local epoch ms. Lines from a watchdog installed before the reasons
 * carried data ("ssh connection", "GPU at 87%", …) are read too.
 */
export function parseKeepUpReason(line: string, toLocal: (epochSeconds: number) => number): KeepUpReason | null {
  const text = line.trim();
  if (text === '') return null;
  const [word, value, ...rest] = text.split(/\s+/);
  if (word === 'kernel' && value === 'busy' && rest.length === 0) return { kind: 'kernel' };
  if ((word === 'ssh' || word === 'login') && rest.length === 0) return { kind: word, from: address(value) };
  if (text === 'ssh connection') return { kind: 'ssh', from: null };
  if (text === 'login session') return { kind: 'login', from: null };
  const gpu = /^(?:gpu (\d{1,3})|GPU at (\d{1,3})%)$/.exec(text);
  if (gpu) return { kind: 'gpu', percent: Number(gpu[1] ?? gpu[2]) };
  const keepalive = /^(?:keepalive|kept alive until) (\d{1,12})$/.exec(text);
  if (keepalive) return { kind: 'keepalive', until: toLocal(Number(keepalive[1])) };
  return { kind: 'other' };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Local wall-clock time of `epochMs`: `18:00`, with the date when it is not on `now`'s day (`Nov 12 18:00`). */
export function localClockText(epochMs: number, now: number, offsetMinutes: (epochMs: number) => number): string {
  const local = new Date(epochMs + offsetMinutes(epochMs) * 60_000);
  const today = new Date(now + offsetMinutes(now) * 60_000);
  const time = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  const sameDay = local.getUTCFullYear() === today.getUTCFullYear() && local.getUTCMonth() === today.getUTCMonth() && local.getUTCDate() === today.getUTCDate();
  return sameDay ? time : `${MONTHS[local.getUTCMonth()]} ${local.getUTCDate()} ${time}`;
}

/** This runtime's offset from UTC at an instant, in minutes (what the faces pass when they have no other). */
export const runtimeOffsetMinutes = (epochMs: number): number => -new Date(epochMs).getTimezoneOffset();

/** The reason in a few words: "kernel busy", "ssh session from 198.51.100.7", "GPU 87 %", "kept alive until 18:00". */
export function keepUpReasonText(reason: KeepUpReason, now: number, offsetMinutes: (epochMs: number) => number = runtimeOffsetMinutes): string {
  switch (reason.kind) {
    case 'kernel':
      return 'kernel busy';
    case 'ssh':
      return reason.from === null ? 'ssh session' : `ssh session from ${reason.from}`;
    case 'login':
      return reason.from === null ? 'login session' : `login session from ${reason.from}`;
    case 'gpu':
      return `GPU ${reason.percent} %`;
    case 'keepalive':
      return `kept alive until ${localClockText(reason.until, now, offsetMinutes)}`;
    case 'other':
      return 'in use';
  }
}
