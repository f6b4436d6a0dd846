/** Dollars with cents, for every face; amounts under a cent say so instead of showing $0.00. */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.005) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

/**
 * A sum that leaves out runs without a known price, as every face shows it: `$4.20` when every run
 * was priced; a floor, `at least $4.20`, when one was not; `unknown` when nothing counted was priced
 * (`priced` says whether anything was: by default whether the sum itself is above zero).
 */
export function pricedSum(usd: number, unpriced: boolean, priced = usd > 0): string {
  if (!unpriced) return formatUsd(usd);
  return priced ? `at least ${formatUsd(usd)}` : 'unknown';
}

/** An amount rounded to cents, for `--json` and the spend chart: a script compares money, not float noise. */
export function roundCents(usd: number): number {
  return Math.round(usd * 100) / 100;
}
