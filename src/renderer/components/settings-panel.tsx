import { useEffect, useRef, useState } from 'react';
import { unknownFieldsWarning } from '../../shared/settings-warning.js';
import type { CheckReport, SettingsView, WorkstationForm } from '../../shared/views.js';
import { useRequest } from '../use-request.js';
import { AccountSection } from './account-section.js';
import { ChecksSection } from './checks-section.js';
import { ErrorBox } from './error-box.js';
import { RemindersSection, remindersDraft, remindersOf, type RemindersDraft } from './reminders-section.js';
import { WorkstationFields } from './workstation-form.js';

/** First-run setup (mode `setup`) and the settings view (mode `edit`): account, checks, spec, app options. */
export function SettingsPanel(props: { mode: 'setup' | 'edit'; onDone: () => void }) {
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<WorkstationForm | null>(null);
  const [report, setReport] = useState<CheckReport | null>(null);
  const [reminders, setReminders] = useState<RemindersDraft | null>(null);
  /** The workstation as loaded: Save sends it only when it changed. */
  const loadedForm = useRef<WorkstationForm | null>(null);
  const load = useRequest();
  const save = useRequest();
  const app = useRequest();
  const heading = useRef<HTMLHeadingElement>(null);
  const api = window.cloudrig;

  useEffect(() => {
    void load.run(() => api.getSettings()).then((loaded) => {
      if (!loaded) return;
      setSettings(loaded);
      setForm(loaded.workstation ?? loaded.defaults);
      loadedForm.current = loaded.workstation ?? null;
      setReminders(remindersDraft(loaded.reminders));
      if (props.mode === 'setup') {
        const start = loaded.workstation ?? loaded.defaults;
        void api.runChecks({ region: start.region, instanceType: start.instanceType, spot: start.spot }).then((result) => {
          if (result.ok) setReport(result.value);
        });
      }
    });
    heading.current?.focus();
  }, []);

  // One Save for the whole screen: the reminders when they changed, then the workstation (always
  // when setting up; when editing, only when it changed, so saving a budget leaves the spec alone).
  const submit = async (): Promise<void> => {
    if (!form || !settings) return;
    if (props.mode === 'edit' && reminders) {
      const next = remindersOf(reminders);
      if (JSON.stringify(next) !== JSON.stringify(settings.reminders)) {
        const saved = await save.run(() => api.updateSettings({ reminders: next }));
        if (!saved) return;
        setSettings(saved);
      }
      if (JSON.stringify(form) === JSON.stringify(loadedForm.current)) {
        props.onDone();
        return;
      }
    }
    const view = await save.run(() => api.saveWorkstation(form));
    if (view && props.mode === 'edit') props.onDone();
  };

  return (
    <main className="panel settings" aria-labelledby="settings-title">
      <header className="header">
        <h1 id="settings-title" ref={heading} tabIndex={-1}>{props.mode === 'setup' ? 'Set up your GPU workstation' : 'Settings'}</h1>
        {props.mode === 'edit' ? <button type="button" className="link" onClick={props.onDone}>Back</button> : null}
      </header>
      {props.mode === 'setup' ? (
        <p className="intro">CloudRig runs a GPU machine in your own AWS account, lets only your IP reach it over ssh, and reminds you before it costs too much.</p>
      ) : null}
      {load.error ? <ErrorBox error={load.error} title="Could not load settings" /> : null}
      {settings && settings.unknownFields.length > 0 ? <p className="warning" role="status" data-testid="unknown-settings">{unknownFieldsWarning(settings.unknownFields)}</p> : null}
      {settings && form ? (
        <>
          <AccountSection settings={settings} onSettings={setSettings} />
          <ChecksSection region={form.region} instanceType={form.instanceType} spot={form.spot} report={report} onReport={setReport} />
          <form
            className="section"
            onSubmit={(event) => {
              event.preventDefault();
              void submit();
            }}
          >
            <WorkstationFields settings={settings} form={form} onChange={setForm} />
            {props.mode === 'edit' && reminders ? <RemindersSection draft={reminders} onChange={setReminders} /> : null}
            {save.error ? <ErrorBox error={save.error} title="Could not save" /> : null}
            <div className="save-bar">
              <button type="submit" className="primary" disabled={save.busy}>
                {save.busy ? 'Saving…' : props.mode === 'setup' ? 'Create workstation' : 'Save'}
              </button>
            </div>
          </form>
          <section className="section" aria-labelledby="app-title">
            <h2 id="app-title">App</h2>
            <label className="field"><span>Terminal</span>
              <select
                value={settings.terminal ?? ''}
                onChange={(event) => void app.run(() => api.updateSettings({ terminal: event.target.value || null })).then((next) => next && setSettings(next))}
              >
                <option value="">Automatic</option>
                {settings.terminals.map((terminal) => (
                  <option key={terminal.id} value={terminal.id}>{terminal.label}{terminal.installed ? '' : ' (not found)'}</option>
                ))}
              </select>
            </label>
            <label className="inline">
              <input
                type="checkbox"
                checked={settings.startAtLogin}
                onChange={(event) => void app.run(() => api.updateSettings({ startAtLogin: event.target.checked })).then((next) => next && setSettings(next))}
              />
              Start CloudRig at login
            </label>
            {app.error ? <ErrorBox error={app.error} title="Could not change that" /> : null}
          </section>
        </>
      ) : null}
    </main>
  );
}
