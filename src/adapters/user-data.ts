// The launch's user data: what cloud-init runs on the instance's first boot. One part is a plain
// `#!` script (cloud-init runs it once per instance); several parts travel as multipart MIME, the
// format cloud-init reads to run a cloud-config and shell scripts from the same user data. It is
// sent gzip-compressed: cloud-init finds gzip by its magic bytes and decompresses before it reads
// the message ("Gzip compressed content", in cloud-init's user-data formats), and EC2's 16 KB
// limit applies to the compressed bytes. The idle watchdog alone is about 11 KB as text and under
// 5 KB compressed, which leaves a setup script room for what users put in it.
import { createHash } from 'node:crypto';
import type { WorkstationSpec } from '../shared/workstation.js';
import { CloudRigError } from '../core/errors.js';
import { USER_DATA_BOUNDARY as BOUNDARY, validateSetupScript } from '../core/validate.js';
import { userDataFor } from '../core/idle-watchdog-installer.js';
import { hostKeyCloudConfig, type SeededHostKey } from '../core/host-keys.js';
import { setupScriptRunner } from '../core/app/setup-script-runner.js';
import { ed25519FromSeed } from './ssh/derived-host-keys.js';

/** EC2's limit on user data: the bytes sent (here gzip-compressed), before base64. */
export const USER_DATA_MAX_BYTES = 16_384;

/**
 * The bytes a launch sends for user data `text`: gzip, at the best compression. The same text
 * always gives the same bytes (gzip's header holds no name and a zero time), so a retried launch
 * with the same ClientToken sends what the first one sent, as EC2's idempotency requires.
 */
export function compressedUserData(text: string): Buffer {
  // zlib is loaded here, at a launch, not with the module: the tray app's main process loads this
  // module at start and seldom launches; a built-in it never calls costs it memory for hours.
  return process.getBuiltinModule('node:zlib').gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
}

/** RunInstances' UserData parameter for user data `text`: the compressed bytes, base64-encoded. */
export function userDataParameter(text: string): string {
  return compressedUserData(text).toString('base64');
}

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
      { action: 'correct-input', field: 'setupScript', hint: 'remove that line from the script.' });
  }
  const lines = [`Content-Type: multipart/mixed; boundary="${BOUNDARY}"`, 'MIME-Version: 1.0', ''];
  for (const part of parts) {
    lines.push(`--${BOUNDARY}`, `Content-Type: ${part.contentType}; charset="utf-8"`, 'MIME-Version: 1.0',
      `Content-Disposition: attachment; filename="${part.filename}"`, '', part.content.endsWith('\n') ? part.content.slice(0, -1) : part.content);
  }
  lines.push(`--${BOUNDARY}--`, '');
  return lines.join('\n');
}

/** The user data's text for a launch of `spec` seeding `hostKey` (null: none), not yet compressed. */
function userDataText(spec: WorkstationSpec, hostKey: SeededHostKey | null): string | null {
  const parts: UserDataPart[] = [];
  if (hostKey) parts.push({ contentType: 'text/cloud-config', filename: 'cloudrig-host-key.yaml', content: hostKeyCloudConfig(hostKey) });
  const watchdog = userDataFor(spec);
  if (watchdog) parts.push({ contentType: 'text/x-shellscript', filename: 'cloudrig-idle-watchdog.sh', content: watchdog });
  // A script saved before init checked it (or edited by hand) is refused here, before anything is billed.
  if (spec.setupScript) validateSetupScript(spec.setupScript);
  if (spec.setupScript) parts.push({ contentType: 'text/x-shellscript', filename: 'cloudrig-setup.sh', content: setupScriptRunner(spec.setupScript, spec.sshUser) });
  return multipartUserData(parts);
}

/**
 * Everything a launch of `spec` sends cloud-init, as text: the seeded host key (cloud-config), the
 * idle watchdog installer and the setup script's runner (the gateway sends it compressed:
 * userDataParameter). Refuses user data whose compressed bytes exceed EC2's limit, with a fix.
 */
export function launchUserData(spec: WorkstationSpec, launch: { readonly hostKey?: SeededHostKey | null } = {}): string | null {
  const userData = userDataText(spec, launch.hostKey ?? null);
  const size = userData === null ? 0 : compressedUserData(userData).length;
  if (size > USER_DATA_MAX_BYTES) {
    throw new CloudRigError('UserDataTooLarge', `The launch's user data (setup script, idle watchdog, host key) is ${size} bytes gzip-compressed; EC2 takes at most ${USER_DATA_MAX_BYTES}.`,
      { action: 'correct-input', field: 'setupScript', hint: 'shorten the script (have it download what it carries).' });
  }
  return userData;
}

/**
 * A host key of the size every seeded key has (the same key text length; its bytes are as random),
 * to measure the user data when a spec is saved, before any launch has made its own key.
 */
const SIZING_HOST_KEY = ed25519FromSeed(createHash('sha256').update('cloudrig user-data sizing key').digest());

/**
 * Room kept for the launch's own host key: its random bytes compress a few bytes better or worse
 * than the sizing key's (test/unit/launch-user-data.test.ts measures the spread).
 */
export const HOST_KEY_SLACK_BYTES = 32;

/**
 * Refuses, when the spec is saved (`rig init --setup`, the app's form), a setup script whose launch
 * user data could not fit EC2's limit even compressed, so it never passes the save and fails at
 * `rig up`. Without a setup script there is nothing the user could shorten: the launch's check stands.
 */
export function refuseSetupScriptThatCannotFit(spec: WorkstationSpec): void {
  if (!spec.setupScript) return;
  const userData = userDataText(spec, spec.seedHostKey === false ? null : SIZING_HOST_KEY);
  const size = userData === null ? 0 : compressedUserData(userData).length;
  // What it needs with room for any launch's key: "about", since each key compresses a little differently.
  const needs = size + HOST_KEY_SLACK_BYTES;
  if (needs <= USER_DATA_MAX_BYTES) return;
  throw new CloudRigError('UserDataTooLarge',
    `The setup script does not fit in the launch's user data: with the idle watchdog and the host key it needs about ${needs} bytes gzip-compressed, and EC2 takes at most ${USER_DATA_MAX_BYTES}.`,
    { action: 'correct-input', field: 'setupScript', hint: `make it about ${needs - USER_DATA_MAX_BYTES} bytes smaller once compressed: have it download what it carries (archives, keys, base64 data).` });
}
