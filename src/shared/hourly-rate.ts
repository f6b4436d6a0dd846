/**
 * How an hourly rate is written, for every face (tray, popover, CLI): `read` rounds to cents from ten
 * cents up (`$0.53/h`) where one rate is read at a glance; `compare` keeps three decimals (`$0.526/h`)
 * where rates stand side by side (the GPU picker, `rig gpus`, `rig status`) or a price is quoted.
 * Below ten cents both keep three decimals, so cheap types are not all `$0.0x`.
 */
export type RateStyle = 'read' | 'compare';

/** The dollar amount of an hourly rate: `$0.53` (read) or `$0.526` (compare). */
export function hourlyAmount(usd: number, style: RateStyle = 'read'): string {
  return `$${style === 'compare' || usd < 0.1 ? usd.toFixed(3) : usd.toFixed(2)}`;
}

/** An hourly rate: `$0.53/h` (read) or `$0.526/h` (compare). */
export function formatHourly(usd: number, style: RateStyle = 'read'): string {
  return `${hourlyAmount(usd, style)}/h`;
}
