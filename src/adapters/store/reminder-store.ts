import { join } from 'node:path';
import * as z from 'zod';
import type { ReminderStore } from '../../core/cost-watch.js';
import { INITIAL_REMINDER_STATE, type ReminderState } from '../../core/reminder-policy.js';
import { readStateJson, writeStateFile } from './state-files.js';

const ReminderStateFileSchema = z.object({
  version: z.literal(1),
  fired: z.record(z.string(), z.number()),
  snoozedUntil: z.number().nullable(),
});

/**
 * The reminder policy's state as `<home>/state/reminders.json`, written atomically (temp file, then
 * rename): which reminders were shown, and until when they are snoozed. It is what keeps a restart
 * from showing a reminder twice, so a damaged file is read as "nothing shown yet" rather than
 * stopping reminders altogether.
 */
export class FileReminderStore implements ReminderStore {
  constructor(private readonly home: string) {}

  /** Where the state lives. */
  get path(): string {
    return join(this.home, 'state', 'reminders.json');
  }

  async read(): Promise<ReminderState> {
    const file = await readStateJson(this.path, ReminderStateFileSchema);
    return file ? { fired: file.fired, snoozedUntil: file.snoozedUntil } : INITIAL_REMINDER_STATE;
  }

  async write(state: ReminderState): Promise<void> {
    const file = { version: 1, fired: state.fired, snoozedUntil: state.snoozedUntil };
    await writeStateFile(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }
}
