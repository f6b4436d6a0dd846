// What the popover, the tray menu and the notifications ask of a workstation's lifecycle: set up,
// start, stop, terminate (in the background, one at a time per workstation: AppOperations), snooze,
// and the answers to a reminder. Each calls the same use case as the `rig` command.
import type { WorkstationForm } from '../../shared/views.js';
import { reminderApplies, type OpenReminder } from '../cost-watch.js';
import type { NotificationButton } from '../notification-policy.js';
import { SNOOZE_HOURS } from '../reminder-policy.js';
import type { AppConnect } from './app-connect.js';
import type { AppFleet } from './app-fleet.js';
import type { FleetViewModel } from './app-fleet-view.js';
import type { AppOperations } from './app-operations.js';
import type { SessionState } from './app-session-state.js';
import type { TypeChangeRequest } from './change-type.js';
import type { ResizeOutcomeView } from '../../shared/resize-view.js';
import type { Monitor } from './monitor.js';
import { requestOfForm } from './face.js';

/** The parts the lifecycle actions read and tell. */
export interface OperationActionParts {
  readonly state: SessionState;
  readonly operations: AppOperations;
  readonly monitor: Monitor;
  readonly connect: AppConnect;
  readonly fleet: FleetViewModel;
  readonly poll: AppFleet;
}

export class OperationActions {
  constructor(private readonly parts: OperationActionParts) {}

  /** Set up or edit the workstation from the form (the same use case as `rig init`). */
  async save(form: WorkstationForm): Promise<void> {
    const { state, fleet, poll } = this.parts;
    const result = await state.rig().setUp(requestOfForm(form), { editing: state.watched });
    fleet.watch();
    poll.refreshNow();
    state.setNotice(`Saved ${result.spec.name}`);
  }

  /** Start (`rig up`); returns at once, progress comes as views. */
  start(workstation?: string): void {
    const { state, operations } = this.parts;
    const name = workstation ?? state.requireName();
    state.clearNotice();
    operations.run(name, 'up', (signal) => state.rig().up(name, { signal }));
  }

  /** Stop (`rig stop`); returns at once (the shown workstation's tunnels close first). */
  stop(workstation?: string): void {
    const { state, operations, monitor, connect } = this.parts;
    const name = workstation ?? state.requireName();
    state.clearNotice();
    if (name === state.watched) {
      monitor.closeReminder();
      void connect.closeAll();
    }
    operations.run(name, 'stop', (signal) => state.rig().stop(name, { signal }));
  }

  /** Terminate (`rig down`, saving an image first when asked); returns at once. */
  terminate(saveImage: boolean): void {
    const { state, operations } = this.parts;
    const name = state.requireName();
    state.clearNotice();
    operations.run(name, 'down', (signal) => state.rig().down(name, { saveImage, signal }));
  }

  /** Archive (the shown workstation unless named): its disk saved as an image, then terminated; returns at once. */
  archive(workstation?: string): void {
    const { state, operations, monitor } = this.parts;
    const name = workstation ?? state.requireName();
    state.clearNotice();
    if (name === state.watched) monitor.closeReminder();
    operations.run(name, 'down', (signal) => state.rig().app.archiveNow(name, { signal }));
  }

  /**
   * Snooze (the shown workstation unless named): its instance's idle auto-stop, then the
   * reminders, wait SNOOZE_HOURS (the same use case as `rig snooze`).
   */
  async snooze(workstation?: string): Promise<void> {
    const { state, monitor, fleet } = this.parts;
    const name = workstation ?? state.requireName();
    const snoozed = await state.rig().snooze({ name, hours: SNOOZE_HOURS, exclusive: (work) => monitor.serial(work) });
    if (monitor.openReminder?.reminder.workstation === name) monitor.closeReminder();
    monitor.noteSnoozed(fleet.latest(name), snoozed.until);
    state.setNotice(`Snoozed for ${SNOOZE_HOURS} h: no reminders, and ${name} stays up`);
  }

  /** The popover's answer to the open reminder: Stop now, Snooze, or just dismiss it. */
  async answerReminder(action: 'stop' | 'snooze' | 'archive' | 'dismiss'): Promise<void> {
    if (action === 'stop') return this.stop();
    if (action === 'archive') return this.archive();
    if (action === 'snooze') await this.snooze();
    this.parts.monitor.closeReminder();
    this.parts.state.changed();
  }

  /**
   * A reminder's notification button (macOS): Stop now or Snooze for the workstation the reminder
   * is about (not necessarily the one shown), if its run is still going.
   */
  answerReminderButton(button: NotificationButton['id'], reminder: OpenReminder | null): void {
    const { state, fleet } = this.parts;
    const name = reminder?.reminder.workstation ?? null;
    // Archive answers a reminder about a stopped box: it applies while the box is still stopped.
    if (button === 'archive' && name !== null && fleet.latest(name)?.phase === 'stopped') {
      this.attempt(() => this.archive(name), name);
      return;
    }
    if (name === null || !reminderApplies(reminder, fleet.latest(name), state.rig().clock.now())) {
      state.setNotice('That reminder was about a run that has ended');
      return;
    }
    this.attempt(() => (button === 'stop' ? this.stop(name) : this.snooze(name)), name);
  }

  /** Changes the type of the shown workstation (stopping it first when asked; its tunnels close as for Stop). */
  changeType(request: TypeChangeRequest): Promise<ResizeOutcomeView> {
    const { state, operations, monitor, connect } = this.parts;
    const name = state.requireName();
    state.clearNotice();
    return state.rig().app.changeType({
      operationOf: (workstation) => operations.kindOf(workstation),
      runOperation: (workstation, kind, work) => {
        monitor.closeReminder();
        void connect.closeAll();
        operations.run(workstation, kind, work);
      },
      start: (workstation) => this.start(workstation),
      setNotice: (text) => state.setNotice(text),
    }, name, request);
  }

  /** Runs a use case whose failure is shown in the popover as that workstation's (the shown one's by default). */
  attempt(work: () => unknown, workstation?: string): void {
    const name = workstation ?? this.parts.state.watched;
    try {
      const result = work();
      if (result instanceof Promise) result.catch((error: unknown) => this.parts.operations.report(error, name));
    } catch (error) {
      this.parts.operations.report(error, name);
    }
  }
}
