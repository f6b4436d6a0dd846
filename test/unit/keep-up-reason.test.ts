import { describe, expect, it } from 'vitest';
import { idleStatusCommand, parseIdleStatus } from '../../src/core/idle-watchdog.js';
import { keepUpReasonText, localClockText, parseKeepUpReason } from '../../src/core/keep-up-reason.js';
import { keepUpJson, keepUpLine } from '../../src/cli/keep-up-text.js';

// What the box's watchdog says keeps it up: one line from the box, parsed strictly, worded for the
// app and `rig status`.

const NOW = Date.parse('2026-11-10T14:00:00Z');
const asIs = (sec: number): number => sec * 1_000;
const utc = (): number => 0;
const reason = (line: string) => parseKeepUpReason(line, asIs);

describe("the watchdog's reason", () => {
  it('reads each signal the check writes, and words it', () => {
    const worded = (line: string) => keepUpReasonText(reason(line)!, NOW, utc);
    expect(worded('kernel busy')).toBe('kernel busy');
    expect(worded('ssh 198.51.100.7')).toBe('ssh session from 198.51.100.7');
    expect(worded('ssh 2001:db8::7')).toBe('ssh session from 2001:db8::7');
    expect(worded('login 198.51.100.7')).toBe('login session from 198.51.100.7');
    expect(worded('login')).toBe('login session');
    expect(worded('gpu 87')).toBe('GPU 87 %');
    expect(worded(`keepalive ${Date.parse('2026-11-10T18:00:00Z') / 1000}`)).toBe('kept alive until 18:00');
    expect(worded(`keepalive ${Date.parse('2026-11-11T09:30:00Z') / 1000}`)).toBe('kept alive until Nov 11 09:30');
  });

  it('reads the lines of a watchdog installed before the reasons carried data', () => {
    expect(reason('ssh connection')).toEqual({ kind: 'ssh', from: null });
    expect(reason('login session')).toEqual({ kind: 'login', from: null });
    expect(reason('GPU at 87%')).toEqual({ kind: 'gpu', percent: 87 });
    expect(reason('kept alive until 1794319200')).toEqual({ kind: 'keepalive', until: 1794319200_000 });
  });

  it('shows none of the text of a line it does not know, and no address that does not look like one', () => {
    expect(keepUpReasonText(reason('\u001b]0;pwned\u0007 rm -rf /')!, NOW)).toBe('in use');
    expect(reason('ssh \u001b[31mevil')).toEqual({ kind: 'ssh', from: null });
    expect(reason('ssh host.example.com')).toEqual({ kind: 'ssh', from: null });
    expect(reason('')).toBeNull();
  });

  it('the local clock time in the zone asked for', () => {
    const at = Date.parse('2026-11-10T17:00:00Z');
    expect(localClockText(at, NOW, () => 60)).toBe('18:00');
    expect(localClockText(at, NOW, () => -8 * 60)).toBe('09:00');
    expect(localClockText(Date.parse('2026-11-10T23:30:00Z'), NOW, () => 60)).toBe('Nov 11 00:30');
  });
});

describe('the idle status command reads the reason back', () => {
  it('from the line the command prints, with the box clock skew taken out of a keep-alive', () => {
    expect(idleStatusCommand('/k')).toContain('busy-reason');
    const stdout = 'now=1794319200\nidle-since=\nkeepalive=\nbusy=kernel busy\n';
    expect(parseIdleStatus(stdout, NOW)).toEqual({ idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'kernel' } });
    // The box's clock is an hour ahead: its keep-alive an hour ahead of its clock is an hour from now here.
    const skewed = `now=${NOW / 1000 + 3600}\nidle-since=\nkeepalive=\nbusy=keepalive ${NOW / 1000 + 7200}\n`;
    expect(parseIdleStatus(skewed, NOW).keptUpBy).toEqual({ kind: 'keepalive', until: NOW + 3_600_000 });
    expect(parseIdleStatus('now=1\nidle-since=\nkeepalive=\nbusy=\n', NOW).keptUpBy ?? null).toBeNull();
  });
});

describe("rig status's words for it", () => {
  it('a line and JSON fields: what keeps it up, or how long it has been idle', () => {
    const busy = { idleSince: null, keptAwakeUntil: null, keptUpBy: { kind: 'kernel' } as const };
    expect(keepUpLine(busy, NOW)).toBe('Kept up: kernel busy.');
    expect(keepUpJson(busy, NOW)).toEqual({ keptUpBy: 'kernel busy', idleSince: null });
    const idle = { idleSince: NOW - 75 * 60_000, keptAwakeUntil: null, keptUpBy: null };
    expect(keepUpLine(idle, NOW)).toBe('Idle for 1 h 15 min.');
    expect(keepUpJson(idle, NOW)).toEqual({ keptUpBy: null, idleSince: '2026-11-10T12:45:00.000Z' });
    expect(keepUpLine(null, NOW)).toBeNull();
    expect(keepUpJson(null, NOW)).toEqual({});
  });
});
