// The popover's workstation switcher: every workstation with its state, last used first, and the
// fleet summed up in one line. Pure: snapshots, settings and costs in, the view out.
import type { Settings } from '../shared/settings.js';
import type { FleetView } from '../shared/views.js';
import type { Snapshot } from '../shared/workstation.js';
import type { CostFacts } from './cost-view.js';
import { isBilledRunning } from './phase.js';
import { PHASE_LABELS } from './phase-view.js';
import { fleetRateText, fleetSummary, switcherOrder } from './tray-model.js';

/** The switcher for the fleet; null with fewer than two workstations (nothing to switch between). */
export function fleetView(
  snapshots: readonly Snapshot[],
  settings: Settings,
  current: string | null,
  costs: ReadonlyMap<string, CostFacts | null>,
): FleetView | null {
  const names = Object.keys(settings.workstations);
  if (names.length < 2) return null;
  const byName = new Map(snapshots.map((snapshot) => [snapshot.name, snapshot] as const));
  const summary = fleetSummary(snapshots, costs);
  const total = fleetRateText(summary);
  const rate = total === null ? '' : ` · ${total} in total`;
  return {
    entries: switcherOrder(names, settings.lastUsed).map((name) => {
      const snapshot = byName.get(name);
      return {
        name,
        state: snapshot ? PHASE_LABELS[snapshot.phase] : 'Checking…',
        running: snapshot ? isBilledRunning(snapshot.phase) : false,
        current: name === current,
      };
    }),
    summary: `${summary.running} of ${names.length} running${rate}`,
  };
}
