import type { SshTarget } from './ports.js';

/**
 * Runs (instance id + launch time) on which ssh accepted the workstation's key, with the exact
 * target, kept where every CloudRig process sharing the home sees them: `rig status` starts its full
 * probe of that target while its code loads (the answer counts only if EC2 then reports that run).
 */
export interface AcceptedRuns {
  /** Records a full probe's success; never throws (the next process then starts no early probe). */
  add(workstation: string, run: string, target: SshTarget): Promise<void>;
  /** Forgets the workstation's record (it is being removed); never throws. */
  forget(workstation: string): Promise<void>;
}
