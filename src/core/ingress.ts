import { isAnywhereCidr } from '../shared/cidr.js';
import type { WorkstationSpec } from '../shared/workstation.js';

/** The warning every face shows while ssh is open to every address; null when it is not. */
export function ingressWarning(spec: Pick<WorkstationSpec, 'ingressCidr'> | undefined): string | null {
  if (!spec || !isAnywhereCidr(spec.ingressCidr)) return null;
  return `ssh (tcp/22) is open to every address on the internet (${spec.ingressCidr}).`;
}
