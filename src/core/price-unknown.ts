// Why a rate is unknown, in words every surface shows: money is never shown as $0.00 when it is
// unknown, so the place a number would go says "unknown", why, and what would make it known.
import { formatUsd } from './format.js';
import { bundledTableCovers, type PricingProblem } from './price-catalog.js';

/** An unknown rate: why, and what makes it known. Both are plain sentences without a final period. */
export interface UnknownPrice {
  readonly reason: string;
  readonly fix: string;
}

/** Why the rate of `instanceType` in `region` is unknown, given what the Pricing API last did. */
export function unknownPrice(region: string, instanceType: string, problem: PricingProblem | null): UnknownPrice {
  const table = bundledTableCovers(region)
    ? `CloudRig's bundled price table does not list ${instanceType}`
    : `CloudRig's bundled price table has no prices for ${region}`;
  const pricing = problem === 'denied'
    ? 'the AWS Pricing API refused (these credentials may not call pricing:GetProducts)'
    : problem === 'no-product'
      ? `the AWS Pricing API has no on-demand Linux price for ${instanceType} in ${region}`
      : problem === 'unavailable'
        ? 'the AWS Pricing API did not answer'
        : 'the AWS Pricing API gave no price';
  const fix = problem === 'denied'
    ? 'allow pricing:GetProducts in the IAM policy of these AWS credentials'
    : problem === 'no-product'
      ? `check that ${region} offers ${instanceType}`
      : 'CloudRig asks the Pricing API again within 10 minutes';
  return { reason: `no price for ${instanceType} in ${region}: ${table}, and ${pricing}`, fix };
}

/** A budget that cannot be checked because a rate is unknown, in one sentence. */
export function budgetUncheckedText(
  budgets: { readonly monthlyUsd: number | null; readonly sessionUsd: number | null },
  workstations: readonly string[],
): string | null {
  const named = [
    budgets.monthlyUsd !== null && budgets.monthlyUsd > 0 ? `monthly budget of ${formatUsd(budgets.monthlyUsd)}` : null,
    budgets.sessionUsd !== null && budgets.sessionUsd > 0 ? `per-session budget of ${formatUsd(budgets.sessionUsd)}` : null,
  ].filter((part): part is string => part !== null);
  if (named.length === 0 || workstations.length === 0) return null;
  const whose = workstations.length === 1 ? `${workstations[0]}'s rate is` : `the rates of ${workstations.join(', ')} are`;
  return `Your ${named.join(' and ')} cannot be checked while ${whose} unknown`;
}
