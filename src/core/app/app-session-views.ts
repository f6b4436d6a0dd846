// What the tray app shows, computed again after every change: the popover's view and the tray's
// model, both pure functions in core (popover-model, fleet-view, tray-model) of the state the other
// parts keep; and the question to ask before quitting.
import type { AppView } from '../../shared/views.js';
import { Emitter } from '../emitter.js';
import { toErrorInfo } from '../errors.js';
import { fleetView } from '../fleet-view.js';
import { appView } from '../popover-model.js';
import { quitPrompt, type QuitPrompt } from '../quit-policy.js';
import { fleetTrayModel, type TrayModel } from '../tray-model.js';
import type { AppConnect } from './app-connect.js';
import type { AppFleet } from './app-fleet.js';
import type { FleetViewModel } from './app-fleet-view.js';
import type { SessionState } from './app-session-state.js';
import { withSetupProgress } from './app-setup.js';
import type { Monitor } from './monitor.js';
import type { AppStateStore } from './shell-ports.js';

/** The parts the views are computed from. */
export interface SessionViewSources {
  readonly state: SessionState;
  readonly fleet: FleetViewModel;
  readonly poll: AppFleet;
  readonly monitor: Monitor;
  readonly connect: AppConnect;
  readonly appState: AppStateStore;
}

export class SessionViews {
  private readonly viewChanged = new Emitter<AppView>();
  private readonly trayChanged = new Emitter<TrayModel>();

  /** Fires with the popover's new view after every change. */
  readonly onDidChangeView = this.viewChanged.event;
  /** Fires with the tray's new model after every change. */
  readonly onDidChangeTray = this.trayChanged.event;

  constructor(private readonly sources: SessionViewSources) {
    sources.state.onDidChange(() => this.emit());
  }

  private emit(): void {
    try {
      this.viewChanged.fire(this.view());
      this.trayChanged.fire(this.tray());
    } catch (error) {
      this.sources.state.log(`could not compute the view: ${toErrorInfo(error).message}`);
    }
  }

  /** The popover's view now. */
  view(): AppView {
    const { state, fleet, poll, monitor, connect } = this.sources;
    const settings = state.settings();
    const snapshot = fleet.effective();
    const base = appView(snapshot, settings, state.rig().clock.now(), monitor.costFacts(), state.notice(), monitor.openReminder?.reminder ?? null);
    const connectView = snapshot ? connect.view(snapshot, settings.sshConfigInstalled) : undefined;
    return {
      ...base,
      workstation: base.workstation && withSetupProgress(base.workstation, connectView?.setup),
      ...(connectView ? { connect: connectView } : {}),
      fleet: fleetView(fleet.snapshots(), settings, state.watched, fleet.costs()),
      elsewhere: poll.elsewhereView(),
      spendChart: poll.spendChart(),
    };
  }

  /** The tray now: the whole fleet (exactly the single-workstation tray when there is one), its tooltip with a short GPU line while readings come in. */
  tray(): TrayModel {
    const { state, fleet, connect, appState } = this.sources;
    const settings = { ...state.settings(), startAtLogin: appState.read().startAtLogin };
    const model = fleetTrayModel(fleet.snapshots(), settings, state.rig().clock.now(), fleet.costs());
    const lines = [connect.setup.trayLine(), connect.view(fleet.effective(), false).gpuLine].filter((line) => line !== null);
    return lines.length > 0 ? { ...model, tooltip: [model.tooltip, ...lines].join('\n') } : model;
  }

  /** What to ask before quitting, or null to quit at once. */
  quitPrompt(): QuitPrompt | null {
    return quitPrompt(this.sources.fleet.effective(), this.sources.monitor.hourlyUsd());
  }
}
