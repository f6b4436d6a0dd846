// The fleet as the tray app shows it: which workstation is shown (the settings' current one, or the
// one picked in the switcher), every workstation's latest snapshot as shown (with its last
// operation's error), and what each new snapshot changes: the phase an operation waits for, the
// rates, the monitor's cost and reminders, the connection, and the notification a change calls for.
import type { Snapshot } from '../../shared/workstation.js';
import { CloudRigError } from '../errors.js';
import { notificationPolicy } from '../notification-policy.js';
import { currentWorkstation } from '../popover-model.js';
import type { AppConnect } from './app-connect.js';
import type { AppFleet } from './app-fleet.js';
import type { SessionNotifications } from './app-notifications.js';
import type { AppOperations } from './app-operations.js';
import type { SessionState } from './app-session-state.js';
import type { Monitor } from './monitor.js';

/** The parts the fleet's view-model reads and tells. */
export interface FleetViewParts {
  readonly state: SessionState;
  /** Every workstation polled together, their rates, the spend chart, the forgotten-instance watch. */
  readonly poll: AppFleet;
  readonly operations: AppOperations;
  readonly monitor: Monitor;
  readonly connect: AppConnect;
  readonly notifications: SessionNotifications;
}

export class FleetViewModel {
  constructor(private readonly parts: FleetViewParts) {}

  /** The shown workstation's snapshot as shown. */
  effective(): Snapshot | null {
    return this.parts.operations.asShown(this.parts.state.snapshot);
  }

  /** The latest snapshot of a workstation, the shown one or another. */
  latest(name: string): Snapshot | null {
    const { state, poll } = this.parts;
    return name === state.watched ? state.snapshot : poll.get(name);
  }

  /** Every workstation's snapshot in the settings' order, each as shown (with its last operation's error). */
  snapshots(): Snapshot[] {
    return Object.keys(this.parts.state.settings().workstations)
      .map((name) => this.parts.operations.asShown(this.latest(name)))
      .filter((snapshot): snapshot is Snapshot => snapshot !== null);
  }

  /** Cost facts per workstation: the monitor's for the shown one, the rate alone for the others. */
  costs(): ReturnType<AppFleet['costs']> {
    return this.parts.poll.costs(this.parts.state.watched, this.parts.monitor.costFacts());
  }

  /** Follows the current workstation (switching when it changed); the fleet watch polls them all. */
  watch(): void {
    const { state, poll, monitor, connect } = this.parts;
    const name = currentWorkstation(state.settings());
    if (name === state.watched) return;
    state.watched = name;
    state.snapshot = name === null ? null : poll.get(name);
    monitor.forget();
    connect.noteSnapshot(null);
    if (state.snapshot) {
      monitor.noteSnapshot(state.snapshot, null);
      connect.noteSnapshot(state.snapshot);
    }
  }

  /** Applies a change to what is shown, then raises the notification the change calls for and updates the views. */
  update(change: () => void): void {
    const { state, monitor, notifications } = this.parts;
    const before = this.effective();
    change();
    const after = this.effective();
    if (after) {
      const notification = notificationPolicy(before, after, state.rig().clock.now(), state.settings(), { hourlyUsd: monitor.hourlyUsd() });
      if (notification) notifications.notify(notification, null);
    }
    state.changed();
  }

  /** A new snapshot of any workstation (the core's onDidChange). */
  onSnapshot(snapshot: Snapshot): void {
    const { state, poll, operations, monitor, connect } = this.parts;
    const before = poll.note(snapshot);
    if (snapshot.name !== state.watched) {
      operations.notePhase(snapshot.name, before?.phase ?? null, snapshot.phase);
      if (before?.phase !== snapshot.phase || before?.instance?.instanceType !== snapshot.instance?.instanceType) {
        poll.noteRate(snapshot);
        // Its run is metered and reminded about too (the monitor asks for every workstation).
        monitor.assess();
      }
      if (JSON.stringify(before) !== JSON.stringify(snapshot)) state.changed();
      return;
    }
    const previous = state.snapshot?.phase ?? null;
    this.update(() => {
      operations.notePhase(snapshot.name, state.snapshot?.phase ?? null, snapshot.phase);
      state.snapshot = snapshot;
    });
    monitor.noteSnapshot(snapshot, previous);
    connect.noteSnapshot(snapshot);
  }

  /** The popover's switcher: show another workstation, and remember when it was last used. */
  select(name: string): void {
    const { state, monitor } = this.parts;
    if (!state.settings().workstations[name]) {
      throw new CloudRigError('NoWorkstation', `There is no workstation named "${name}".`,
        { action: 'choose-workstation', names: Object.keys(state.settings().workstations), missing: null });
    }
    state.rig().app.makeCurrent(name);
    this.watch();
    monitor.assess();
    monitor.lookUpStillCosting();
    state.changed();
  }

  /** `rig` changed something: read the settings again (which workstation), ask EC2 now, update cost and reminders. */
  homeChanged(): void {
    this.watch();
    this.parts.poll.refreshNow();
    this.parts.monitor.assess();
    this.parts.poll.refreshChart();
    this.parts.state.changed();
  }

  /** The popover was opened: look again, and bring cost (and, when stopped, what is kept) up to date. */
  popoverShown(): void {
    this.parts.poll.refreshNow();
    this.parts.poll.refreshChart();
    this.parts.monitor.assess();
    this.parts.monitor.lookUpStillCosting();
  }
}
