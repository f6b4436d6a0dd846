// The reminders about a box left stopped: after N days (per workstation, default 7) the reminder
// offers Archive (its disk kept as an image, and no longer billed as a disk). With automatic archive
// on (off by default) a notice comes first, and the archive only a day after it was shown: the user
// always has a day to start the box or turn it off. Pure, like the rest of the reminder policy.
import { formatUsd } from './format.js';
import type { Reminder } from './reminder.js';

const DAY_MS = 24 * 3_600_000;

/** What the archive reminders look at for one workstation. */
export interface ArchiveReminderInput {
  readonly workstation: string;
  readonly now: number;
  /** Epoch ms its instance stopped (EC2's state transition time); null when it is not stopped or the time is unknown. */
  readonly stoppedSince: number | null;
  /** Days stopped before Archive is offered. */
  readonly afterDays: number;
  /** Archive by itself after that, a day after the notice. */
  readonly auto: boolean;
  /** What its disk costs a month while stopped, and its image at most; null when unknown. */
  readonly monthly: { readonly diskUsd: number; readonly archiveUsd: number } | null;
}

/** The candidates to show now, given when each id was shown before (`fired`). */
export function archiveReminders(input: ArchiveReminderInput, fired: Readonly<Record<string, number>>): Reminder[] {
  const { workstation, now, stoppedSince, afterDays } = input;
  if (stoppedSince === null) return [];
  const stoppedFor = now - stoppedSince;
  const days = (ms: number): number => Math.floor(ms / DAY_MS);
  const cost = input.monthly === null ? ''
    : ` Its disk costs ${formatUsd(input.monthly.diskUsd)} a month while stopped; archived, at most ${formatUsd(input.monthly.archiveUsd)}.`;
  if (!input.auto) {
    if (stoppedFor < afterDays * DAY_MS) return [];
    return [{
      id: `${workstation}:stopped:${stoppedSince}`,
      kind: 'stopped',
      workstation,
      title: `${workstation} has been stopped for ${days(stoppedFor)} days`,
      body: `Archive it to keep its disk as an image and stop paying for the disk; the next launch starts from the image.${cost}`,
      actions: ['archive'],
      autoStop: false,
    }];
  }
  const noticeId = `${workstation}:archive-notice:${stoppedSince}`;
  if (stoppedFor < (afterDays - 1) * DAY_MS) return [];
  const noticeShown = fired[noticeId];
  if (noticeShown === undefined) {
    return [{
      id: noticeId,
      kind: 'stopped',
      workstation,
      title: `${workstation} will be archived tomorrow`,
      body: `It has been stopped for ${days(stoppedFor)} days. In a day CloudRig saves its disk as an image and terminates it (the next launch starts from the image); start it, or turn automatic archive off, to keep it as it is.${cost}`,
      actions: ['archive'],
      autoStop: false,
    }];
  }
  if (stoppedFor < afterDays * DAY_MS || now - noticeShown < DAY_MS) return [];
  return [{
    id: `${workstation}:auto-archive:${stoppedSince}`,
    kind: 'stopped',
    workstation,
    title: `Archiving ${workstation}: stopped for ${days(stoppedFor)} days`,
    body: `CloudRig is saving its disk as an image, then terminating it, as you asked; the next launch starts from the image.${cost}`,
    actions: [],
    autoStop: false,
    autoArchive: true,
  }];
}
