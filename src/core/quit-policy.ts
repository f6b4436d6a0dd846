import type { FixStep } from '../shared/errors.js';
import type { Snapshot } from '../shared/workstation.js';
import { formatHourly } from './format.js';
import { isBilledRunning } from './phase.js';

/** The question asked before quitting while an instance is billed. */
export interface QuitPrompt {
  readonly message: string;
  readonly detail: string;
  /** How to stop it later, which the app words after the detail. */
  readonly fix: FixStep;
  readonly quitLabel: string;
  readonly cancelLabel: string;
}

/**
 * Quitting never stops or terminates anything. When an instance is billed the user is told so
 * (and how to stop it later) before the app goes; otherwise it just quits (null).
 */
export function quitPrompt(snapshot: Snapshot | null, hourlyUsd: number | null): QuitPrompt | null {
  if (!snapshot || !isBilledRunning(snapshot.phase)) return null;
  const rate = hourlyUsd === null ? 'it keeps being billed by the hour' : `it keeps costing ${formatHourly(hourlyUsd)}`;
  return {
    message: `${snapshot.name} is still running`,
    detail: `Quitting CloudRig leaves the instance as it is: ${rate}.`,
    fix: { action: 'stop-later', name: snapshot.name },
    quitLabel: 'Quit and leave it running',
    cancelLabel: 'Cancel',
  };
}
