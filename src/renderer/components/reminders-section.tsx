import type { Reminders } from '../../shared/settings.js';
import { IDLE_MINUTES } from '../../shared/limits.js';

/** The reminder fields as typed: the text fields kept as text until Save, so "0.005" stays "0.005". */
export interface RemindersDraft {
  readonly form: Reminders;
  readonly daily: string;
  readonly monthly: string;
  readonly session: string;
}

/** The fields for saved reminders. */
export function remindersDraft(reminders: Reminders): RemindersDraft {
  return {
    form: reminders,
    daily: reminders.dailyAt ?? '',
    monthly: reminders.monthlyBudgetUsd === null ? '' : String(reminders.monthlyBudgetUsd),
    session: reminders.sessionBudgetUsd === null ? '' : String(reminders.sessionBudgetUsd),
  };
}

/** A dollar amount typed into a field: empty means no budget. */
function dollars(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** The reminders the fields say. */
export function remindersOf(draft: RemindersDraft): Reminders {
  return {
    ...draft.form,
    dailyAt: draft.daily === '' ? null : draft.daily,
    monthlyBudgetUsd: dollars(draft.monthly),
    sessionBudgetUsd: dollars(draft.session),
  };
}

/**
 * When to be reminded that the workstation costs money, and the budgets (with optional auto-stop):
 * fields only, saved by the settings' one Save.
 */
export function RemindersSection(props: { draft: RemindersDraft; onChange: (draft: RemindersDraft) => void }) {
  const { draft } = props;
  const { form } = draft;
  const set = <K extends keyof Reminders>(key: K, value: Reminders[K]): void => props.onChange({ ...draft, form: { ...form, [key]: value } });
  const text = (key: 'daily' | 'monthly' | 'session', value: string): void => props.onChange({ ...draft, [key]: value });

  return (
    <section className="section" aria-labelledby="reminders-title">
      <h2 id="reminders-title">Reminders and budget</h2>
      <div className="row">
        <label className="field"><span>Remind after (hours running)</span>
          <input type="number" min={0.25} max={48} step={0.25} value={form.afterHours} onChange={(event) => set('afterHours', Number(event.target.value))} required />
        </label>
        <label className="field"><span>Then every (hours)</span>
          <input type="number" min={0.25} max={48} step={0.25} value={form.repeatHours} onChange={(event) => set('repeatHours', Number(event.target.value))} required />
        </label>
      </div>
      <div className="row">
        <label className="field"><span>Daily at (empty: never)</span>
          <input type="time" value={draft.daily} onChange={(event) => text('daily', event.target.value)} />
        </label>
        <label className="field"><span>When idle for (minutes)</span>
          <input type="number" min={IDLE_MINUTES.min} max={IDLE_MINUTES.max} step={1} value={form.idleMinutes} onChange={(event) => set('idleMinutes', Number(event.target.value))} required />
        </label>
      </div>
      <div className="row">
        <label className="field"><span>Monthly budget ($, all workstations)</span>
          <input type="number" min={0} step="any" placeholder="none" value={draft.monthly} onChange={(event) => text('monthly', event.target.value)} />
        </label>
        <label className="field"><span>Per-session budget ($)</span>
          <input type="number" min={0} step="any" placeholder="none" value={draft.session} onChange={(event) => text('session', event.target.value)} />
        </label>
      </div>
      <label className="inline">
        <input type="checkbox" checked={form.autoStopAtBudget} onChange={(event) => set('autoStopAtBudget', event.target.checked)} />
        Stop the workstation when a budget is reached
      </label>
      <p className="hint">You are told at 80% and 100% of each budget; reminders offer Stop now and Snooze 1 h.</p>
    </section>
  );
}
