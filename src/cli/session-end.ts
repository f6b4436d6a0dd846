import type { ScannedInstance } from '../shared/workstation.js';

/** One line of what still runs or sits stopped in the account, with what it is. */
export function leftoverLine(instance: ScannedInstance): string {
  const owner = instance.workstation ? `workstation ${instance.workstation}` : 'not CloudRig\'s';
  return `  ${instance.region}  ${instance.instanceId}  ${instance.state}  ${instance.instanceType}  (${owner})`;
}

/**
 * The end-of-session check after `rig down`: everything the all-region scan still sees, one line
 * each, so nothing is forgotten (and billed). A failed scan says how to look by hand.
 */
export async function reportLeftovers(scan: () => Promise<ScannedInstance[]>, out: (line: string) => void): Promise<void> {
  let found: ScannedInstance[];
  try {
    found = await scan();
  } catch {
    out('Could not check the other regions for instances still running; run `rig scan` to see them.');
    return;
  }
  if (!found.length) return out('Nothing else is running or stopped in this account, in any region.');
  out(`Still in this account (${found.length}):`);
  for (const instance of found) out(leftoverLine(instance));
  out('Stop or terminate what you no longer need (rig stop / rig down for a workstation; the EC2 console for the others).');
}
