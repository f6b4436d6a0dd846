import { idleStatusCommand } from '../core/idle-watchdog.js';
import { PrefetchingSshClient } from './ssh/prefetching-ssh-client.js';
import { lastAcceptedTarget } from './store/accepted-runs-file.js';
import { resolveHome } from './store/home.js';

/** How long the early probe may take; the same as the core's probe. */
const EARLY_TIMEOUT_MS = 3_000;

/**
 * For `rig status` only: starts the full ssh probe (pinned host key, then the workstation's key) of
 * the last accepted run's target before the AWS code loads, so sshd's handshake and node's compiling
 * overlap. The core takes the answer only when EC2 then reports that same run at that same target;
 * otherwise it probes afresh. Over the same connection it asks the watchdog's status, the one
 * command `rig status` runs on a ready box.
 * Reads argv loosely on purpose: a wrong guess costs one unused TCP connection, nothing else.
 */
export function earlySshProbe(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): PrefetchingSshClient | undefined {
  let home: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--home' || arg === '--profile') {
      if (arg === '--home') home = argv[i + 1];
      i++;
    } else if (arg.startsWith('--home=')) {
      home = arg.slice('--home='.length);
    } else if (!arg.startsWith('-')) {
      words.push(arg);
    }
  }
  if (words[0] !== 'status' || words.length > 2) return undefined;
  const target = lastAcceptedTarget(home ?? resolveHome(env), words[1]);
  if (!target) return undefined;
  const ssh = new PrefetchingSshClient();
  // The watchdog's status is what `rig status` asks the box next: read-only, so asked at once.
  ssh.prefetch(target, EARLY_TIMEOUT_MS, idleStatusCommand(env.CLOUDRIG_KEEPALIVE_FILE || undefined));
  return ssh;
}
