import { ElsewhereWatch, type ElsewhereHost } from './elsewhere.js';
import { FleetWatch } from './fleet-watch.js';
import { Monitor, type MonitorHost } from './monitor.js';
import { ProjectPush, type ProjectPushDeps } from './project-push.js';
import { coreOf, type Rig } from './rig.js';
import { TunnelReopen, type TunnelReopenDeps } from './tunnel-reopen.js';

/**
 * The application layer's long-running parts the tray app holds — the fleet poll, the
 * forgotten-instance watch, the monitor loop (cost, reminders, idle probes), the push folder and
 * the tunnels re-opened on start — each built over the façade the app is using now. The app
 * builds a new Rig when the profile or the keys change; these follow it, so the view-model holds
 * them without ever holding the core behind the façade.
 */
export class AppLoops {
  constructor(private readonly current: () => Rig) {}

  /** Polls every saved workstation together (one DescribeInstances per region). */
  fleetWatch(): FleetWatch {
    const core = coreOf(this.current());
    return new FleetWatch({ service: core.service, cloud: core.cloud, clock: core.clock });
  }

  /** Scans the account for instances CloudRig did not start, and notifies about them. */
  elsewhere(host: ElsewhereHost): ElsewhereWatch {
    return new ElsewhereWatch(coreOf(this.current()), host);
  }

  /** The watch over the fleet's money: cost meter, reminders, budget cap, idle probes. */
  monitor(host: Omit<MonitorHost, 'core'>): Monitor {
    return new Monitor({ ...host, core: () => coreOf(this.current()) });
  }

  /** The push folder of each workstation, pushed on start and on "Push now". */
  projectPush(deps: Omit<ProjectPushDeps, 'core'>): ProjectPush {
    return new ProjectPush({ ...deps, core: () => coreOf(this.current()) });
  }

  /** The tunnels marked to re-open when the workstation is ready again. */
  tunnelReopen(deps: Omit<TunnelReopenDeps, 'core'>): TunnelReopen {
    return new TunnelReopen({ ...deps, core: () => coreOf(this.current()) });
  }
}
