import type { Snapshot } from '../../shared/workstation.js';
import { idleStatusCommand, parseIdleStatus, type IdleStatus } from '../idle-watchdog.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { targetOf } from './idle-answers.js';

/** How long `rig status` waits for the watchdog's answer. */
const WATCHDOG_ANSWER_TIMEOUT_MS = 8_000;

/**
 * The box's watchdog's view, asked over ssh as the app's monitor asks it: idle since when, kept
 * awake until when, and what kept it up at its last check. Asked only once ssh answered with the
 * pinned host key (the snapshot is ready), as the monitor does. Null when there is nothing to ask
 * (not ready, auto-stop off) or no answer came: a status never fails for want of it.
 */
export async function askWatchdog(core: CloudRigCore, snapshot: Snapshot): Promise<IdleStatus | null> {
  if (snapshot.phase !== 'ready') return null;
  let target;
  try {
    if (!core.service.spec(snapshot.name).autoStop.enabled) return null;
    target = targetOf(core, snapshot);
  } catch {
    return null;
  }
  if (target === null) return null;
  const result = await core.ssh.exec(target, idleStatusCommand(core.keepAliveFile ?? undefined), WATCHDOG_ANSWER_TIMEOUT_MS).catch(() => null);
  return result === null || result.code !== 0 ? null : parseIdleStatus(result.stdout, core.clock.now());
}
