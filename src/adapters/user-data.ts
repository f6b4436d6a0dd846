// The launch's user data: what cloud-init runs on the instance's first boot. One part is a plain
// `#!` script (cloud-init runs it once per instance); several parts travel as multipart MIME, the
// format cloud-init reads to run a cloud-config and shell scripts from the same user data.
import type { WorkstationSpec } from '../shared/workstation.js';
import { utf8Length } from '../shared/workstation.js';
import { CloudRigError } from '../core/errors.js';
import { USER_DATA_BOUNDARY as BOUNDARY, validateSetupScript } from '../core/validate.js';
import { userDataFor } from '../core/idle-watchdog-installer.js';
import { hostKeyCloudConfig, type SeededHostKey } from '../core/host-keys.js';
import { setupScriptRunner } from '../core/app/setup-script-runner.js';

/** EC2's limit on user data, before base64. */
export const USER_DATA_MAX_BYTES = 16_384;

/** One part of multipart user data. */
export interface UserDataPart {
  readonly contentType: 'text/cloud-config' | 'text/x-shellscript';
  readonly filename: string;
  readonly content: string;
}

/** The parts as cloud-init's multipart MIME; a single shell script is sent as it is. */
export function multipartUserData(parts: readonly UserDataPart[]): string | null {
  if (parts.length === 0) return null;
  if (parts.length === 1 && parts[0]!.contentType === 'text/x-shellscript') return parts[0]!.content;
  if (parts.some((part) => part.content.includes(BOUNDARY))) {
    throw new CloudRigError('InvalidSetupScript', `The setup script contains the line ${BOUNDARY}, which CloudRig uses to separate the user data.`,
      'Remove that text from the setup script and run `rig init --setup FILE` again.');
  }
  const lines = [`Content-Type: multipart/mixed; boundary="${BOUNDARY}"`, 'MIME-Version: 1.0', ''];
  for (const part of parts) {
    lines.push(`--${BOUNDARY}`, `Content-Type: ${part.contentType}; charset="utf-8"`, 'MIME-Version: 1.0',
      `Content-Disposition: attachment; filename="${part.filename}"`, '', part.content.endsWith('\n') ? part.content.slice(0, -1) : part.content);
  }
  lines.push(`--${BOUNDARY}--`, '');
  return lines.join('\n');
}

/**
 * Everything a launch of `spec` sends cloud-init: the seeded host key (cloud-config), the idle
 * watchdog installer and the setup script's runner. Refuses user data over EC2's limit with a fix.
 */
export function launchUserData(spec: WorkstationSpec, launch: { readonly hostKey?: SeededHostKey | null } = {}): string | null {
  const parts: UserDataPart[] = [];
  if (launch.hostKey) parts.push({ contentType: 'text/cloud-config', filename: 'cloudrig-host-key.yaml', content: hostKeyCloudConfig(launch.hostKey) });
  const watchdog = userDataFor(spec);
  if (watchdog) parts.push({ contentType: 'text/x-shellscript', filename: 'cloudrig-idle-watchdog.sh', content: watchdog });
  // A script saved before init checked it (or edited by hand) is refused here, before anything is billed.
  if (spec.setupScript) validateSetupScript(spec.setupScript);
  if (spec.setupScript) parts.push({ contentType: 'text/x-shellscript', filename: 'cloudrig-setup.sh', content: setupScriptRunner(spec.setupScript, spec.sshUser) });
  const userData = multipartUserData(parts);
  if (userData !== null && utf8Length(userData) > USER_DATA_MAX_BYTES) {
    throw new CloudRigError('UserDataTooLarge', `The launch's user data (setup script, idle watchdog, host key) is ${utf8Length(userData)} bytes; EC2 takes at most ${USER_DATA_MAX_BYTES}.`,
      `Shorten the setup script (have it download what it needs) and run \`rig init --name ${spec.name} --setup FILE\` again.`);
  }
  return userData;
}
