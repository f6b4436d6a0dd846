import { useState } from 'react';
import type { Reminders } from '../../shared/settings.js';
import type { SettingsView } from '../../shared/views.js';
import { useRequest } from '../use-request.js';
import { ErrorBox } from './error-box.js';
import { IDLE_MINUTES } from '../../shared/limits.js';

/** A dollar amount typed into a field: empty means no budget. */
function dollars(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

/** When to be reminded that the workstation costs money, and the budgets (with optional auto-stop). */
export function RemindersSection(props: { settings: SettingsView; onSettings: (settings: SettingsView) => void }) {
  const initial = props.settings.reminders;
  const [form, setForm] = useState<Reminders>(initial);
  const [daily, setDaily] = useState(initial.dailyAt ?? '');
  const [monthly, setMonthly] = useState(initial.monthlyBudgetUsd === null ? '' : String(initial.monthlyBudgetUsd));
  const [session, setSession] = useState(initial.sessionBudgetUsd === null ? '' : String(initial.sessionBudgetUsd));
  const save = useRequest();
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof Reminders>(key: K, value: Reminders[K]): void => setForm({ ...form, [key]: value });

  const submit = async (): Promise<void> => {
    const reminders: Reminders = {
      ...form,
      dailyAt: daily === '' ? null : daily,
      monthlyBudgetUsd: dollars(monthly),
      sessionBudgetUsd: dollars(session),
    };
    setSaved(false);
    const next = await save.run(() => window.cloudrig.updateSettings({ reminders }));
    if (next) {
      props.onSettings(next);
      setSaved(true);
    }
  };

  return (
    <form
      className="section"
      aria-labelledby="reminders-title"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
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
          <input type="time" value={daily} onChange={(event) => setDaily(event.target.value)} />
        </label>
        <label className="field"><span>When idle for (minutes)</span>
          <input type="number" min={IDLE_MINUTES.min} max={IDLE_MINUTES.max} step={1} value={form.idleMinutes} onChange={(event) => set('idleMinutes', Number(event.target.value))} required />
        </label>
      </div>
      <div className="row">
        <label className="field"><span>Monthly budget ($, all workstations)</span>
          <input type="number" min={0} step="any" placeholder="none" value={monthly} onChange={(event) => setMonthly(event.target.value)} />
        </label>
        <label className="field"><span>Per-session budget ($)</span>
          <input type="number" min={0} step="any" placeholder="none" value={session} onChange={(event) => setSession(event.target.value)} />
        </label>
      </div>
      <label className="inline">
        <input type="checkbox" checked={form.autoStopAtBudget} onChange={(event) => set('autoStopAtBudget', event.target.checked)} />
        Stop the workstation when a budget is reached
      </label>
      <p className="hint">You are told at 80% and 100% of each budget; reminders offer Stop now and Snooze 1 h.</p>
      {save.error ? <ErrorBox error={save.error} title="Could not save the reminders" /> : null}
      <div className="row">
        <button type="submit" disabled={save.busy}>{save.busy ? 'Saving…' : 'Save reminders'}</button>
        <span className="notice" role="status" aria-live="polite">{saved ? 'Saved the reminder settings' : ''}</span>
      </div>
    </form>
  );
}
