import { describe, expect, it } from 'vitest';
import { autostartEntry } from '../../src/core/autostart-entry.js';
import { quitPrompt } from '../../src/core/quit-policy.js';
import { DEFAULT_FORM, formOf, settingsView, specFromForm } from '../../src/core/settings-view.js';
import { defaultSettings } from '../../src/shared/settings.js';
import { settingsWithGpu, snapshotIn, specOf } from './support/snapshots.js';
import { fixWorded } from '../support/fix-matchers.js';

const facts = {
  current: 'gpu',
  profiles: ['default', 'work'],
  keyStorage: { available: true } as const,
  terminals: [{ id: 'xterm', label: 'xterm', installed: true }],
  hasInstance: false,
};

describe('settingsView', () => {
  it('never carries the stored keys, only that there are some', () => {
    const view = settingsView(settingsWithGpu({ encryptedCredentials: 'c2VjcmV0' }), facts);
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

describe('specFromForm', () => {
  it('turns the form into the spec init takes, with the auto-stop the form sets and the GPU threshold kept', () => {
    const existing = specOf({ autoStop: { enabled: true, idleMinutes: 60, gpuBusyPercent: 5 } });
    const form = { ...DEFAULT_FORM, sshHost: ' 127.0.0.1 ', sshPort: 2222, ingressCidr: '127.0.0.1', autoStopEnabled: false, autoStopMinutes: 90 };
    const spec = specFromForm(form, existing, false);
    expect(spec).toMatchObject({ name: 'gpu', sshHost: '127.0.0.1', sshPort: 2222, ingressCidr: '127.0.0.1/32', autoStop: { enabled: false, idleMinutes: 90, gpuBusyPercent: 5 } });
    expect(specFromForm(DEFAULT_FORM, null, false)).not.toHaveProperty('sshHost');
    expect(specFromForm(DEFAULT_FORM, null, false).autoStop).toEqual({ enabled: true, idleMinutes: 60, gpuBusyPercent: 10 });
  });

  it('shows the saved auto-stop in the form and refuses idle minutes the watchdog cannot use', () => {
    expect(formOf(specOf({ autoStop: { enabled: false, idleMinutes: 45, gpuBusyPercent: 10 } }))).toMatchObject({ autoStopEnabled: false, autoStopMinutes: 45 });
    expect(() => specFromForm({ ...DEFAULT_FORM, autoStopMinutes: 2 }, null, false)).toThrow(expect.objectContaining({ code: 'InvalidInput', fix: fixWorded('app', /^Settings → Workstation → Idle minutes before it stops: /) }));
  });

  it('refuses bad fields naming the field and the fix', () => {
    expect(() => specFromForm({ ...DEFAULT_FORM, region: 'mars-1' }, null, false)).toThrow(expect.objectContaining({ code: 'InvalidInput', fix: fixWorded('app', /^Settings → Workstation → Region: /) }));
    expect(() => specFromForm({ ...DEFAULT_FORM, imageKind: 'ami', image: 'ubuntu' }, null, false)).toThrow(expect.objectContaining({ fix: fixWorded('app', /^Settings → Workstation → Image \(AMI id\): /) }));
    expect(() => specFromForm({ ...DEFAULT_FORM, ingressCidr: '10.0.0.0/40' }, null, false)).toThrow(expect.objectContaining({ fix: fixWorded('app', /^Settings → Workstation → Allowed addresses \(CIDR\): /) }));
  });

  it('needs the "Allow ssh from anywhere" confirmation for 0.0.0.0/0 and remembers it in the spec', () => {
    expect(() => specFromForm({ ...DEFAULT_FORM, ingressCidr: '0.0.0.0/0' }, null, false))
      .toThrow(expect.objectContaining({ code: 'InvalidInput', fix: fixWorded('app', /^Settings → Workstation → Allowed addresses \(CIDR\): .*tick "Allow ssh from anywhere"/) }));
    expect(() => specFromForm({ ...DEFAULT_FORM, ingressCidr: '10.1.2.3/0', ingressAnywhere: true }, null, false))
      .toThrow(expect.objectContaining({ fix: fixWorded('app', '10.1.2.3/32') }));
    expect(specFromForm({ ...DEFAULT_FORM, ingressCidr: '0.0.0.0/0', ingressAnywhere: true }, null, false)).toMatchObject({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true });
    expect(formOf(specOf({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true }))).toMatchObject({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true });
    expect(specFromForm({ ...DEFAULT_FORM, ingressAnywhere: true }, null, false)).not.toHaveProperty('ingressAnywhere');
  });

  it('refuses to move a workstation that has an instance to another region', () => {
    expect(() => specFromForm({ ...DEFAULT_FORM, region: 'us-west-2' }, specOf(), true)).toThrow(expect.objectContaining({ code: 'WorkstationInUse' }));
    expect(specFromForm({ ...DEFAULT_FORM, instanceType: 'g5.xlarge' }, specOf(), true).instanceType).toBe('g5.xlarge');
  });
});

describe('quitPrompt', () => {
  it('asks before quitting while billed, saying the instance is left running and how to stop it', () => {
    expect(quitPrompt(snapshotIn('ready'), 0.526)).toEqual({
      message: 'gpu is still running',
      detail: 'Quitting CloudRig leaves the instance as it is: it keeps costing $0.53/h. Stop it from the menu first, or later with `rig stop gpu`.',
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
