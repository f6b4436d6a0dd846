import { describe, expect, it } from 'vitest';
import { withSetupProgress } from '../../src/core/app/app-setup.js';
import { workstationView } from '../../src/core/popover-model.js';
import type { SetupView } from '../../src/shared/views.js';
import { NOW, settingsWithGpu, snapshotIn } from './support/snapshots.js';

const setup = (state: SetupView['state']): SetupView => ({
  state, title: '', lines: [], error: null, logPath: '/var/lib/cloudrig/setup/setup.log', suggestion: null,
});

describe('the workstation while its setup script runs', () => {
  it('is "Setting up gpu…", busy, with the setup step current after SSH ready, while waiting or running', () => {
    for (const state of ['waiting', 'running'] as const) {
      const view = withSetupProgress(workstationView(snapshotIn('ready'), settingsWithGpu(), NOW), setup(state));
      expect(view).toMatchObject({ phase: 'ready', phaseLabel: 'Setting up gpu…', tone: 'busy', canOpenTerminal: true });
      expect(view.progress?.map((step) => `${step.label}:${step.state}`)).toEqual(['Requesting:done', 'Pending:done', 'Running:done', 'SSH ready:done', 'Setup script:current']);
    }
  });

  it('is plainly ready once it succeeded, without one, and in any other phase', () => {
    const ready = workstationView(snapshotIn('ready'), settingsWithGpu(), NOW);
    expect(withSetupProgress(ready, setup('succeeded'))).toBe(ready);
    expect(withSetupProgress(ready, null)).toBe(ready);
    const stopping = workstationView(snapshotIn('stopping'), settingsWithGpu(), NOW);
    expect(withSetupProgress(stopping, setup('running'))).toBe(stopping);
  });

  it('is "Setup failed", in the bad tone, once the script failed: the worst current fact beats ready', () => {
    const ready = workstationView(snapshotIn('ready'), settingsWithGpu(), NOW);
    expect(withSetupProgress(ready, setup('failed'))).toMatchObject({ phase: 'ready', phaseLabel: 'Setup failed', tone: 'bad', canOpenTerminal: true });
  });
});
