// A kept-alive session (a push --watch, a tunnel, stats) is bound to the instance it was opened
// for. Public addresses are recycled and `--ssh-host` set-ups keep one address for every box, so
// "the host at that address" is not "the workstation": once the instance is terminated or
// replaced, the session ends instead of reconnecting to whatever answers there now.
import type { InstanceFacts } from '../../shared/workstation.js';
import { CloudRigError } from '../errors.js';
import { sshTargetOf } from '../ssh-command.js';
import type { WorkstationService } from '../workstation-service.js';

/** Where a workstation's sshd answers now. */
export interface SessionAddress {
  readonly host: string;
  readonly port: number;
}

/** What a session asks before it reconnects (and when its connection drops). */
export interface SessionBinding {
  /** The instance the session was opened for. */
  readonly instanceId: string;
  /**
   * Resolves when the workstation still has that instance, with the address its sshd answers at now
   * (a stopped and started instance has a new public IP; null when EC2 could not say); rejects with
   * `SessionEnded` when not.
   */
  stillCurrent(): Promise<SessionAddress | null>;
}

/** States after which an instance never runs again. */
const ENDED_STATES = new Set(['shutting-down', 'terminated']);

/**
 * The SessionEnded error for a session bound to `instanceId` when the workstation now has `now`
 * (null: no instance), or null when the instance is still the workstation's.
 */
export function sessionEndedBy(workstation: string, instanceId: string, now: InstanceFacts | null): CloudRigError | null {
  if (now && now.instanceId === instanceId && !ENDED_STATES.has(now.state)) return null;
  const what = !now || now.instanceId === instanceId
    ? `was terminated`
    : `was replaced by ${now.instanceId}`;
  return new CloudRigError('SessionEnded', `Workstation ${workstation}'s instance ${instanceId} ${what}`,
    { action: 'reconnect', name: workstation });
}

/**
 * The binding of a session opened for `instanceId`: each check asks EC2 (one DescribeInstances,
 * once per reconnect or dropped connection, never per poll). An EC2 that cannot answer does not
 * end the session: the reconnect still accepts only the host key the session connected with. It
 * takes only the service's refresh, not the core: the core holds the remote sessions, which hold this.
 */
export function bindToInstance(c: { readonly service: Pick<WorkstationService, 'refresh' | 'spec'> }, workstation: string, instanceId: string): SessionBinding {
  return {
    instanceId,
    async stillCurrent() {
      const snapshot = await c.service.refresh(workstation, { probeSsh: false, force: true });
      // Offline: the snapshot keeps the last known instance (or none) and carries the error; nothing learned.
      if (snapshot.error && (snapshot.instance === null || snapshot.instance.instanceId === instanceId)) return null;
      const ended = sessionEndedBy(workstation, instanceId, snapshot.instance);
      if (ended) throw ended;
      const target = sshTargetOf(c.service.spec(workstation), snapshot.instance, '', '');
      return target ? { host: target.host, port: target.port } : null;
    },
  };
}
