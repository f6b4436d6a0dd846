/** Elapsed time the way a menu bar has room for: `0m`, `12m`, `1h12m`, `2d3h`. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}


/**
 * An amount the user typed (a budget), with the precision it was typed at: 0.005 reads `$0.005`,
 * not `$0.01`; whole amounts still show cents (`$20.00`). At most six decimals.
 */
export function formatEnteredUsd(usd: number): string {
  const written = String(usd);
  const decimals = written.includes('e') ? 6 : (written.split('.')[1] ?? '').length;
  return `$${usd.toFixed(Math.min(6, Math.max(2, decimals)))}`;
}

// Written once in shared, where the renderer can use them too.
export { formatHourly } from '../shared/hourly-rate.js';
export { formatUsd } from '../shared/money.js';

/** A length of time in words: `5 min`, `2 h`, `2 h 5 min`. */
export function hoursAndMinutes(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
