import { describe, expect, it } from 'vitest';
import { autostartEntry } from '../../src/core/autostart-entry.js';
import { quitPrompt } from '../../src/core/quit-policy.js';
import { formOf, settingsView } from '../../src/core/settings-view.js';
import { defaultSettings } from '../../src/shared/settings.js';
import { settingsWithGpu, snapshotIn, specOf } from './support/snapshots.js';

const facts = {
  current: 'gpu',
  profiles: ['default', 'work'],
  keyStorage: { available: true } as const,
  terminals: [{ id: 'xterm', label: 'xterm', installed: true }],
  hasInstance: false,
  appState: { sealedCredentials: null, startAtLogin: false },
};

describe('settingsView', () => {
  it('never carries the stored keys, only that there are some', () => {
    const view = settingsView(settingsWithGpu(), { ...facts, appState: { sealedCredentials: 'c2VjcmV0', startAtLogin: false } });
    expect(view.hasStoredKeys).toBe(true);
    expect(JSON.stringify(view)).not.toContain('c2VjcmV0');
  });

  it('starts the first-run form with a small NVIDIA box on the Deep Learning image, admitting my IP', () => {
    const view = settingsView(defaultSettings(), { ...facts, current: null });
    expect(view.workstation).toBeNull();
    expect(view.defaults).toMatchObject({ region: 'us-east-1', instanceType: 'g4dn.xlarge', imageKind: 'parameter', ingressCidr: 'auto', diskGiB: 100 });
  });

  it('carries the reminder settings, defaults included', () => {
    const reminders = { ...defaultSettings().reminders, sessionBudgetUsd: 5, autoStopAtBudget: true };
    expect(settingsView(settingsWithGpu({ reminders }), facts).reminders).toEqual({
      afterHours: 2, repeatHours: 1, dailyAt: '23:00', idleMinutes: 30, monthlyBudgetUsd: null, sessionBudgetUsd: 5, autoStopAtBudget: true,
    });
  });

  it('says why keys cannot be stored and locks name and region while an instance exists', () => {
    const view = settingsView(settingsWithGpu(), { ...facts, hasInstance: true, keyStorage: { available: false, reason: 'No keyring.' } });
    expect(view).toMatchObject({ keyStorage: { available: false, reason: 'No keyring.' }, locked: true, workstation: formOf(specOf()) });
  });
});

describe('quitPrompt', () => {
  it('asks before quitting while billed, saying the instance is left running and how to stop it', () => {
    expect(quitPrompt(snapshotIn('ready'), 0.526)).toEqual({
      message: 'gpu is still running',
      detail: 'Quitting CloudRig leaves the instance as it is: it keeps costing $0.53/h.',
      fix: { action: 'stop-later', name: 'gpu' },
      quitLabel: 'Quit and leave it running',
      cancelLabel: 'Cancel',
    });
  });

  it('just quits when nothing is billed', () => {
    expect(quitPrompt(snapshotIn('stopped'), 0.526)).toBeNull();
    expect(quitPrompt(null, null)).toBeNull();
  });
});

describe('autostartEntry', () => {
  it('starts the AppImage (or binary) at login, quoting paths with spaces', () => {
    const entry = autostartEntry('/home/me/Apps/Cloud Rig.AppImage');
    expect(entry).toContain('Exec="/home/me/Apps/Cloud Rig.AppImage"\n');
    expect(entry.startsWith('[Desktop Entry]\nType=Application\nName=CloudRig\n')).toBe(true);
  });
});
