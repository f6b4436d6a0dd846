import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileReminderStore } from '../../src/adapters/store/reminder-store.js';
import { evaluateReminders, INITIAL_REMINDER_STATE, snoozeReminders, type ReminderInput } from '../../src/core/reminder-policy.js';
import { RemindersSchema } from '../../src/shared/settings.js';
import { FakeClock } from './support/fake-clock.js';

// The reminder state on a real disk: what keeps a restart of the app from showing a reminder twice.
let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cloudrig-reminders-'));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const HOUR = 3_600_000;

function input(clock: FakeClock, runningSince: number): ReminderInput {
  const now = clock.now();
  const sessionUsd = ((now - runningSince) / HOUR) * 0.526;
  return {
    workstation: 'gpu', now, runningSince, idleSince: null, hourlyUsd: 0.526, sessionUsd, monthUsd: sessionUsd,
    settings: RemindersSchema.parse({ dailyAt: null }), localOffsetMinutes: () => 0,
  };
}

describe('FileReminderStore', () => {
  it('starts with nothing shown, then keeps what it is given in <home>/state/reminders.json, private to the user', async () => {
    const store = new FileReminderStore(home);
    await expect(store.read()).resolves.toEqual(INITIAL_REMINDER_STATE);
    const state = { fired: { 'gpu:running:1:0': 1_000 }, snoozedUntil: 5_000 };
    await store.write(state);
    expect(store.path).toBe(join(home, 'state', 'reminders.json'));
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toEqual({ version: 1, ...state });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    await expect(new FileReminderStore(home).read()).resolves.toEqual(state);
    // Written by rename: no temp file is left behind.
    expect(await readdir(join(home, 'state'))).toEqual(['reminders.json']);
  });

  it('reads a damaged or foreign file as nothing shown yet, rather than failing', async () => {
    const store = new FileReminderStore(home);
    await mkdir(join(home, 'state'), { recursive: true });
    for (const text of ['{"fired": {', '{"version": 2, "fired": {}, "snoozedUntil": null}', '[]', '{"version":1,"fired":{"x":"soon"},"snoozedUntil":null}']) {
      await writeFile(store.path, text);
      await expect(store.read(), text).resolves.toEqual(INITIAL_REMINDER_STATE);
    }
  });

  it('keeps a restarted app from repeating a reminder, and keeps a snooze across the restart', async () => {
    const clock = new FakeClock('2026-11-27T10:00:00Z');
    const since = clock.now();
    clock.advance(2 * HOUR + 60_000);

    // First app: the after-2-hours reminder is shown and remembered.
    const first = new FileReminderStore(home);
    const shown = evaluateReminders(await first.read(), input(clock, since));
    expect(shown.reminders.map((r) => r.title)).toEqual(['gpu has been running for 2 h 1 min']);
    await first.write(shown.state);

    // Restarted app, a minute later: nothing new.
    clock.advance(60_000);
    const second = new FileReminderStore(home);
    const again = evaluateReminders(await second.read(), input(clock, since));
    expect(again.reminders).toEqual([]);

    // Snoozed, restarted again: the next hourly reminder waits for the snooze to end.
    await second.write(snoozeReminders(again.state, clock.now()));
    clock.advance(HOUR - 2 * 60_000);
    const third = new FileReminderStore(home);
    expect(evaluateReminders(await third.read(), input(clock, since)).reminders).toEqual([]);
    clock.advance(3 * 60_000);
    expect(evaluateReminders(await third.read(), input(clock, since)).reminders.map((r) => r.title)).toEqual(['gpu has been running for 3 h 3 min']);
  });
});
