/**
 * Every limit on what a user may enter, written once: the zod schemas, the validators in core,
 * the form's min/max attributes and the fix texts all read them from here.
 */

/** A workstation name: AWS tags and file names carry it (lower-case letters, digits, dashes; up to 31). */
export const WORKSTATION_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** An inclusive whole-number range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** Idle minutes before the watchdog stops the instance (and before a reminder). */
export const IDLE_MINUTES: Range = { min: 5, max: 24 * 60 };
/** The GPU use, in percent, under which the watchdog counts the machine as idle. */
export const GPU_BUSY_PERCENT: Range = { min: 1, max: 100 };
/** Root disk size in GiB (gp3). */
export const DISK_GIB: Range = { min: 8, max: 16_384 };
/** A TCP port. */
export const SSH_PORT: Range = { min: 1, max: 65_535 };
/** Days a workstation stays stopped before the reminder offers to archive it (and an automatic archive may run). */
export const ARCHIVE_AFTER_DAYS: Range & { readonly default: number } = { min: 1, max: 365, default: 7 };
/** A monthly or per-session budget in USD. */
export const BUDGET_USD: Range = { min: 0, max: 1_000_000 };

/**
 * How much of one stream (stdout or stderr) of a command run on the workstation CloudRig keeps: a
 * box that prints without end would otherwise fill this computer's memory. Past it the command is
 * ended and fails with an error that says so.
 */
export const EXEC_OUTPUT_MAX_BYTES = 8 * 1024 * 1024;
