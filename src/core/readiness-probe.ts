// Whether a running instance is ready: one short ssh probe of its current run. A success is
// remembered for that run (and, for the next process's early probe, in the home); a failure keeps
// its reason, for the hint and the timeout message that say what to check.
import type { InstanceFacts, WorkstationSpec } from '../shared/workstation.js';
import { resourceName, type WorkstationServiceDeps } from './lifecycle-context.js';
import type { SshTarget } from './ports.js';
import { instanceRunKey } from './run-key.js';
import { sshTargetOf } from './ssh-command.js';
import type { Workstation } from './workstation.js';

const SSH_PROBE_TIMEOUT_MS = 3_000;

/** The ssh target of `instance` with the workstation's key and known_hosts, or null when it has none. */
export function sshTargetFor(deps: WorkstationServiceDeps, spec: WorkstationSpec, instance: InstanceFacts | null): SshTarget | null {
  return sshTargetOf(spec, instance, deps.keys.pathOf(resourceName(spec.name)), deps.keys.knownHostsPathOf(spec.name));
}

/** Probes ssh once on `instance` and records what it found on `workstation`; true when ssh answered. */
export async function probeOnce(deps: WorkstationServiceDeps, workstation: Workstation, spec: WorkstationSpec, instance: InstanceFacts): Promise<boolean> {
  const target = sshTargetFor(deps, spec, instance);
  if (!target) return false;
  const run = instanceRunKey(instance);
  const result = await deps.ssh.probe(target, SSH_PROBE_TIMEOUT_MS);
  // Remembered for the next process: `rig status` starts its (full) probe of this target while it loads.
  if (result.ok) await deps.acceptedRuns?.add(spec.name, run, target);
  workstation.noteProbe(run, `${target.user}@${target.host}:${target.port}`, result, deps.clock.now());
  return result.ok;
}
