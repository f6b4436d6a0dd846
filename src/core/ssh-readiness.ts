import type { ProbeResult, SshTarget } from './ports.js';

/**
 * Runs (instance id + launch time) on which ssh accepted the workstation's key, kept where every
 * CloudRig process sharing the home sees them: once `rig up` or the app saw the key accepted,
 * `rig status` and a restarted app need not prove it again with a full handshake.
 */
export interface AcceptedRuns {
  /** Whether a full probe succeeded on `run` for this very target (address, user and key). */
  has(workstation: string, run: string, target: SshTarget): Promise<boolean>;
  /** Records a full probe's success; never throws (the next process then probes in full again). */
  add(workstation: string, run: string, target: SshTarget): Promise<void>;
}

/**
 * The cheap check for a run whose key was already accepted: the address answers with an SSH
 * banner. No key exchange and no authentication, so no ssh client library is loaded for it.
 */
export interface SshBannerProbe {
  probe(target: SshTarget, timeoutMs: number): Promise<ProbeResult>;
}
