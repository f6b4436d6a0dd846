import { describe, expect, it } from 'vitest';
import { CloudRigError } from '../../src/core/errors.js';
import { awayFor, reconnectDelayMs, RECONNECT_BACKOFF } from '../../src/core/reconnect-backoff.js';
import { keepReconnecting, type ReconnectEvent } from '../../src/core/app/session-reconnect.js';
import { watchAndSync, WATCH_DEBOUNCE_MS, type ChangeWatcher } from '../../src/core/app/file-watch.js';
import { watchStats, type RemoteShell } from '../../src/core/app/stats.js';
import { FakeClock } from './support/fake-clock.js';

describe('the reconnect backoff', () => {
  it('waits about a second after the first failure, doubling, and never more than 30 s however many failed', () => {
    const low = Array.from({ length: 10 }, (_, attempt) => reconnectDelayMs(attempt, () => 0));
    const high = Array.from({ length: 10 }, (_, attempt) => reconnectDelayMs(attempt, () => 0.999_999));
    expect(low).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000, 15_000]);
    expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    expect(reconnectDelayMs(10_000, () => 0.5)).toBeLessThanOrEqual(RECONNECT_BACKOFF.capMs);
  });

  it('is jittered within the upper half of each step, so many sessions do not knock at once', () => {
    const delays = new Set([0.1, 0.3, 0.6, 0.9].map((r) => reconnectDelayMs(2, () => r)));
    expect(delays.size).toBe(4);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
    }
  });

  it('says how long the connection was away in seconds, then in minutes', () => {
    expect(awayFor(200)).toBe('1 s');
    expect(awayFor(4_200)).toBe('4 s');
    expect(awayFor(125_000)).toBe('2 min');
  });
});

/** A session whose connection the test drops, and whose reconnects answer as the test queues them. */
class FakeDroppingSession {
  readonly answers: Array<Error | null> = [];
  attempts = 0;
  private dropped: (() => void)[] = [];
  private reconnected: (() => void)[] = [];
  onDropped(listener: () => void): void {
    this.dropped.push(listener);
  }
  onReconnected(listener: () => void): void {
    this.reconnected.push(listener);
  }
  /** Another use of the session reconnected it. */
  usedAndReconnected(): void {
    for (const listener of this.reconnected) listener();
  }
  drop(): void {
    for (const listener of this.dropped) listener();
  }
  async connect(): Promise<void> {
    this.attempts += 1;
    const answer = this.answers.shift() ?? null;
    if (answer) throw answer;
  }
}

/** Lets pending promises run until `condition` holds (no timers: the clock is fake). */
async function untilTrue(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await Promise.resolve();
  expect(condition()).toBe(true);
}

/** Lets every pending promise step run (the clock is fake, so nothing else moves). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

const lostAgain = (): Error => new CloudRigError('SshFailed', 'ssh to workstation gpu failed: connect ECONNREFUSED.', { action: 'check-workstation-answers', name: 'gpu' });

describe('a session kept connected', () => {
  it('says one line when the connection drops and one when it is back, however many attempts failed between', async () => {
    const clock = new FakeClock();
    const session = new FakeDroppingSession();
    const events: ReconnectEvent[] = [];
    const repairs: number[] = [];
    const kept = keepReconnecting({
      session, workstation: 'workstation gpu', clock, signal: new AbortController().signal, onEvent: (e) => events.push(e), random: () => 0,
      repair: async () => (repairs.push(session.attempts), null),
    });
    session.answers.push(lostAgain(), lostAgain());

    session.drop();
    await untilTrue(() => session.attempts === 1);
    expect(kept.reconnecting).toBe(true);
    clock.advance(500);
    await untilTrue(() => session.attempts === 2);
    clock.advance(1_000);
    await untilTrue(() => session.attempts === 3);
    await untilTrue(() => events.length === 2);

    expect(events.map((e) => ('line' in e ? e.line : e.kind))).toEqual(['Connection to workstation gpu lost; reconnecting…', 'Reconnected to workstation gpu after 2 s.']);
    // The address is repaired before every attempt.
    expect(repairs).toEqual([0, 1, 2]);
    expect(kept.reconnecting).toBe(false);
  });

  it('says it is back as soon as a use of the session reconnected it, not at the next attempt', async () => {
    const clock = new FakeClock();
    const session = new FakeDroppingSession();
    const events: ReconnectEvent[] = [];
    keepReconnecting({ session, workstation: 'workstation gpu', clock, signal: new AbortController().signal, onEvent: (e) => events.push(e), random: () => 0 });
    session.answers.push(lostAgain(), lostAgain(), lostAgain());
    session.drop();
    await untilTrue(() => session.attempts === 1);
    await settle();
    clock.advance(500);
    await untilTrue(() => session.attempts === 2);
    await settle();
    // Waiting 1 s for the third attempt; a push reconnects after 0.7 s.
    clock.advance(700);
    session.answers.length = 0;
    session.usedAndReconnected();
    await untilTrue(() => events.length === 2);
    expect(events[1]).toMatchObject({ kind: 'reconnected', awayMs: 1_200 });
  });

  it('keeps quiet the failures a drop causes while it reconnects, but never an ended session', async () => {
    const clock = new FakeClock();
    const session = new FakeDroppingSession();
    const kept = keepReconnecting({ session, workstation: 'workstation gpu', clock, signal: new AbortController().signal, onEvent: () => undefined });
    const heard: unknown[] = [];
    const onError = kept.quiet((e) => heard.push(e));
    session.answers.push(lostAgain());
    session.drop();
    onError(lostAgain());
    const ended = new CloudRigError('HostKeyMismatch', 'another key', { action: 'forget-host-key', name: 'gpu', command: 'rm known_hosts/gpu', instanceId: null, replaced: false });
    onError(ended);
    expect(heard).toEqual([ended]);
  });

  it('stops at a changed host key: the session has ended, and nothing tries again', async () => {
    const clock = new FakeClock();
    const session = new FakeDroppingSession();
    const events: ReconnectEvent[] = [];
    keepReconnecting({ session, workstation: 'workstation gpu', clock, signal: new AbortController().signal, onEvent: (e) => events.push(e) });
    session.answers.push(new CloudRigError('HostKeyMismatch', 'The ssh host key at 127.0.0.1:22 is not the one this session connected with.', { action: 'reconnect', name: 'gpu' }));
    session.drop();
    await untilTrue(() => events.length === 2);
    expect(events[1]).toMatchObject({ kind: 'ended', error: { code: 'HostKeyMismatch' } });
    clock.advance(3_600_000);
    await Promise.resolve();
    expect(session.attempts).toBe(1);
  });

  it('stops trying when its command ends', async () => {
    const clock = new FakeClock();
    const session = new FakeDroppingSession();
    const controller = new AbortController();
    keepReconnecting({ session, workstation: 'workstation gpu', clock, signal: controller.signal, onEvent: () => undefined, random: () => 0 });
    session.answers.push(lostAgain(), lostAgain());
    session.drop();
    await untilTrue(() => session.attempts === 1);
    controller.abort();
    clock.advance(3_600_000);
    for (let i = 0; i < 100; i++) await Promise.resolve();
    expect(session.attempts).toBe(1);
  });
});

/** A change source the test drives by hand (the real one is fs.watch, exercised by the integration tests). */
class FakeChangeWatcher implements ChangeWatcher {
  listener: ((path: string) => void) | null = null;
  watch(onChange: (path: string) => void): { close(): void } {
    this.listener = onChange;
    return { close: () => undefined };
  }
}

describe('what a watch does once its connection is back', () => {
  it('push --watch pushes again at once, so an edit whose push failed while away is not left for the next edit', async () => {
    const clock = new FakeClock();
    const watcher = new FakeChangeWatcher();
    const controller = new AbortController();
    let back = (): void => undefined;
    const outcomes: Array<'fail' | 'ok'> = ['fail', 'ok'];
    const synced: string[] = [];
    const done = watchAndSync({
      watcher, clock, signal: controller.signal, onError: () => synced.push('failed'),
      sync: async () => {
        if (outcomes.shift() === 'fail') throw lostAgain();
        synced.push('pushed');
      },
      syncNow: (sync) => (back = sync),
    });
    await untilTrue(() => watcher.listener !== null);
    watcher.listener!('train.py');
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS);
    await untilTrue(() => synced.length === 1);
    // The connection comes back; no further edit.
    back();
    await settle();
    clock.advance(WATCH_DEBOUNCE_MS);
    await untilTrue(() => synced.length === 2);
    expect(synced).toEqual(['failed', 'pushed']);
    controller.abort();
    await done;
  });

  it('stats --watch reads at once, without waiting out its interval', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let reads = 0;
    const shell: RemoteShell = { exec: async () => (reads++, { code: 0, stdout: '', stderr: '' }) };
    let back = (): void => undefined;
    const done = watchStats({ shell, clock, signal: controller.signal, intervalMs: 3_600_000, onReading: () => undefined, onError: () => undefined, readNow: (wake) => (back = wake) });
    await untilTrue(() => reads === 1);
    back();
    await untilTrue(() => reads === 2);
    controller.abort();
    await done;
  });
});
