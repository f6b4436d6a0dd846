import { describe, expect, it } from 'vitest';
import { appView, currentWorkstation, workstationView } from '../../src/core/popover-model.js';
import { defaultSettings } from '../../src/shared/settings.js';
import { instanceIn, NOW, settingsWithGpu, snapshotIn, specOf } from './support/snapshots.js';

const PRICE = { hourlyUsd: 0.526 };

describe('workstationView', () => {
  it('shows the launch as requesting → pending → running → ssh ready', () => {
    const steps = (phase: 'launching' | 'pending' | 'running') =>
      workstationView(snapshotIn(phase), settingsWithGpu(), NOW).progress?.map((step) => `${step.label}:${step.state}`);
    expect(steps('launching')).toEqual(['Requesting:current', 'Pending:todo', 'Running:todo', 'SSH ready:todo']);
    expect(steps('pending')).toEqual(['Requesting:done', 'Pending:current', 'Running:todo', 'SSH ready:todo']);
    expect(steps('running')).toEqual(['Requesting:done', 'Pending:done', 'Running:done', 'SSH ready:current']);
  });

  it('shows no progress once ready, with uptime, rate, session cost and the ssh command', () => {
    const view = workstationView(snapshotIn('ready'), settingsWithGpu(), NOW, PRICE);
    expect(view).toMatchObject({
      phaseLabel: 'Ready for ssh',
      tone: 'good',
      progress: null,
      uptime: '1h12m',
      hourly: '$0.53/h',
      // 72 minutes at $0.526/h.
      session: '$0.63',
      primary: { action: 'stop', label: 'Stop', enabled: true },
      canCopy: true,
      canOpenTerminal: true,
      canTerminate: true,
    });
    expect(view.sshCommand).toMatch(/^ssh -i .* ubuntu@ec2-198-51-100-7/);
  });

  it('shows the core step label as the detail during a transition', () => {
    const step = { id: 'requesting', label: 'Requesting a g4dn.xlarge instance from ami-dca37ea5 (parameter)' };
    expect(workstationView(snapshotIn('launching', { step }), settingsWithGpu(), NOW).detail).toBe(step.label);
  });

  it('offers Start on a stopped instance and Launch when there is none, with no session cost', () => {
    const stopped = workstationView(snapshotIn('stopped'), settingsWithGpu(), NOW, PRICE);
    expect(stopped).toMatchObject({ primary: { action: 'start', label: 'Start', enabled: true }, session: null, uptime: null, sshCommand: null, canCopy: false, canTerminate: true });
    expect(workstationView(snapshotIn('absent'), settingsWithGpu(), NOW, PRICE)).toMatchObject({ primary: { label: 'Launch', enabled: true }, canTerminate: false });
  });

  it('keeps the last error with its fix beside the phase', () => {
    const error = { code: 'InsufficientInstanceCapacity', message: 'AWS has no g4dn.xlarge capacity free.', fix: 'Try another region.' };
    expect(workstationView(snapshotIn('error', { error }), settingsWithGpu(), NOW)).toMatchObject({ tone: 'bad', phaseLabel: 'Error', error });
  });

  it('shows the ssh host override as the address when one is set', () => {
    const settings = settingsWithGpu({ workstations: { gpu: specOf({ sshHost: '127.0.0.1' }) } });
    expect(workstationView(snapshotIn('ready'), settings, NOW).address).toBe('127.0.0.1');
  });

  it('marks spot instances', () => {
    expect(workstationView(snapshotIn('ready', { instance: instanceIn('ready', { spot: true }) }), settingsWithGpu(), NOW).spot).toBe(true);
  });
});

describe('appView', () => {
  it('is the setup screen until a workstation exists', () => {
    expect(appView(null, defaultSettings(), NOW)).toEqual({ screen: 'setup', workstation: null, notice: null });
  });

  it('shows the current workstation, falling back to the first saved one', () => {
    expect(appView(snapshotIn('stopped'), settingsWithGpu(), NOW, null, 'Saved gpu')).toMatchObject({ screen: 'workstation', notice: 'Saved gpu', workstation: { name: 'gpu' } });
    expect(currentWorkstation(settingsWithGpu({ current: null }))).toBe('gpu');
    expect(currentWorkstation(settingsWithGpu({ current: 'gone' }))).toBe('gpu');
  });
});
