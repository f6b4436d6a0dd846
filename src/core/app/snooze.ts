import { CloudRigError, toErrorInfo } from '../errors.js';
import { snoozeCommand } from '../idle-watchdog.js';
import { snoozeReminders, SNOOZE_HOURS } from '../reminder-policy.js';
import type { CloudRigCore } from './cloudrig-core.js';

/** What a snooze did. */
export interface Snoozed {
  readonly name: string;
  readonly hours: number;
  /** Epoch ms until which the auto-stop and the reminders wait. */
  readonly until: number;
}

/**
 * Snooze, from `rig snooze` and from the app alike: the instance's idle auto-stop waits (the
 * keep-alive file is written over ssh), then the reminders wait as long. The reminder state is
 * written only after the instance took the snooze, so it never claims a snooze the box did not get;
 * when the box cannot be reached nothing changes and the one error says so.
 */
export async function snoozeWorkstation(
  core: CloudRigCore,
  options: {
    readonly name?: string;
    readonly hours?: number;
    /** Runs the reminder-state update in turn with the caller's other updates of it (the app's monitor). */
    readonly exclusive?: (work: () => Promise<void>) => Promise<void>;
  } = {},
): Promise<Snoozed> {
  const hours = options.hours ?? SNOOZE_HOURS;
  const now = core.clock.now();
  // Checked before anything is asked of AWS or the instance.
  const command = snoozeCommand(hours, Math.floor(now / 1000), core.keepAliveFile ?? undefined);
  const name = core.service.spec(options.name).name;
  const refused = (why: string): CloudRigError => new CloudRigError('SnoozeFailed',
    `${name} did not take the snooze: ${why}. Its idle auto-stop and the reminders go on as before.`,
    { action: 'retry', reason: 'snooze' });
  const target = await core.service.sshTarget(name).catch((error: unknown) => {
    throw refused(toErrorInfo(error).message.replace(/\.$/, ''));
  });
  const result = await core.ssh.exec(target, command, 15_000).catch((error: unknown) => {
    throw refused(toErrorInfo(error).message.replace(/\.$/, ''));
  });
  if (result.code !== 0) throw refused(result.stderr.trim() || `exit ${result.code}`);
  const write = async (): Promise<void> => core.reminders.write(snoozeReminders(await core.reminders.read(), now, hours));
  await (options.exclusive ? options.exclusive(write) : write());
  return { name, hours, until: now + hours * 3_600_000 };
}
