import type { InstanceFacts, Phase } from '../shared/workstation.js';

/** The phase EC2's view alone implies; `ready` needs an ssh answer on top of `running`. */
export function phaseOfInstance(instance: InstanceFacts | null, sshReady: boolean): Phase {
  if (!instance) return 'absent';
  switch (instance.state) {
    case 'pending':
      return 'pending';
    case 'running':
      return sshReady ? 'ready' : 'running';
    case 'stopping':
      return 'stopping';
    case 'stopped':
      return 'stopped';
    case 'shutting-down':
      return 'terminating';
    case 'terminated':
      return 'absent';
  }
}

/** Phases in which something is changing and the watcher should look often. */
export function isTransitional(phase: Phase): boolean {
  return phase === 'launching' || phase === 'pending' || phase === 'running' || phase === 'stopping' ||
    phase === 'imaging' || phase === 'terminating';
}

/** Whether the instance is billed by the hour in this phase. */
export function isBilledRunning(phase: Phase): boolean {
  return phase === 'pending' || phase === 'running' || phase === 'ready' || phase === 'stopping' || phase === 'imaging';
}
