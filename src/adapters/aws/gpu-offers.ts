import { gpuModelIs, type FamilyQuota, type GpuOffer } from '../../core/gpu-catalog.js';
import { toErrorInfo } from '../../core/errors.js';
import type { Price } from '../../core/price-catalog.js';
import type { GpuOfferProblem } from '../../shared/gpu-offers.js';
import { AwsAccountProbe } from './account-checks.js';
import type { AwsAccess } from './client-config.js';
import { mapAwsError, quotaFor } from './error-map.js';
import { listGpuInstanceTypes, type GpuInstanceType } from './instance-catalog.js';
import { PRICING_API_REGION, type AwsPriceCatalog } from './pricing.js';
import { byText } from '../../shared/text-order.js';

/** Pricing passes run this many at a time: GetProducts throttles bursts (answers are cached a day). */
const PRICING_PASSES_AT_ONCE = 4;

/** GPU offers, and the regions that could not be asked (not enabled, denied, unreachable). */
export interface GpuOfferList {
  readonly offers: readonly GpuOffer[];
  readonly skipped: readonly { readonly region: string; readonly message: string }[];
  /** What could not be read live (prices, quotas), with its fix: the offers still show, bundled or with the quota unknown. */
  readonly problems: readonly GpuOfferProblem[];
}

interface RegionFacts {
  readonly region: string;
  readonly types: readonly GpuInstanceType[];
  readonly spot: ReadonlyMap<string, Price | null>;
  readonly quotas: ReadonlyMap<string, FamilyQuota | null>;
  readonly quotaProblem: GpuOfferProblem | null;
}

/**
 * The GPU instance types of each region with their on-demand and spot prices and the account's
 * vCPU quota for their family: DescribeInstanceTypes, DescribeSpotPriceHistory (one call for all
 * types) and the quotas per region in parallel; on-demand prices in one Pricing pass per type for
 * all regions at once.
 */
export async function listGpuOffers(
  access: AwsAccess,
  prices: AwsPriceCatalog,
  regions: readonly string[],
  gpu: string | null,
): Promise<GpuOfferList> {
  const skipped: { region: string; message: string }[] = [];
  const failures: unknown[] = [];
  const facts = (await Promise.all(regions.map(async (region): Promise<RegionFacts | null> => {
    try {
      const types = (await listGpuInstanceTypes(access, region)).filter((type) => !gpu || gpuModelIs(type.gpuModel, gpu));
      const [spot, { quotas, problem }] = await Promise.all([
        prices.spotHourlyByType(region, types.map((type) => type.instanceType)),
        familyQuotas(access, region, types),
      ]);
      return { region, types, spot, quotas, quotaProblem: problem };
    } catch (error) {
      skipped.push({ region, message: toErrorInfo(error).message });
      failures.push(error);
      return null;
    }
  }))).filter((region): region is RegionFacts => region !== null);
  // No region answered (expired credentials, a skewed clock, no network): that is a failure with
  // its own fix, not an empty list of GPU types.
  if (facts.length === 0 && failures.length > 0) throw await mapAwsError(failures[0], { region: regions[0] ?? PRICING_API_REGION, profile: access.profile ?? null, env: access.env });

  const regionsOfType = new Map<string, string[]>();
  for (const { region, types } of facts) {
    for (const { instanceType } of types) regionsOfType.set(instanceType, [...(regionsOfType.get(instanceType) ?? []), region]);
  }
  const onDemand = new Map<string, Price | null>();
  const passes = [...regionsOfType];
  for (let start = 0; start < passes.length; start += PRICING_PASSES_AT_ONCE) {
    await Promise.all(passes.slice(start, start + PRICING_PASSES_AT_ONCE).map(async ([instanceType, inRegions]) => {
      for (const [region, price] of await prices.onDemandHourlyByRegion(instanceType, inRegions)) onDemand.set(`${region} ${instanceType}`, price);
    }));
  }

  const offers = facts.flatMap(({ region, types, spot, quotas }) => types.map((type): GpuOffer => ({
    region,
    ...type,
    onDemand: onDemand.get(`${region} ${type.instanceType}`) ?? null,
    spot: spot.get(type.instanceType) ?? null,
    quota: quotas.get(quotaFor(type.instanceType, false).code) ?? null,
  })));
  const problems = facts.flatMap(({ quotaProblem }) => (quotaProblem === null ? [] : [quotaProblem]));
  if (prices.lastPricingFailure !== null && offers.some((offer) => offer.onDemand?.source === 'bundled')) {
    const { code, message, fix } = toErrorInfo(await mapAwsError(prices.lastPricingFailure, { region: PRICING_API_REGION, profile: access.profile ?? null, env: access.env }));
    problems.unshift({ about: 'prices', error: { code, fix, message: `Live prices could not be read, so the on-demand prices are CloudRig's bundled table (labelled bundled). ${message}` } });
  }
  return { offers, skipped: skipped.sort((a, b) => byText(a.region, b.region)), problems };
}

/**
 * The on-demand vCPU quota of each instance family among `types` (one Service Quotas call per
 * family), and why a quota could not be read.
 */
async function familyQuotas(
  access: AwsAccess,
  region: string,
  types: readonly GpuInstanceType[],
): Promise<{ quotas: Map<string, FamilyQuota | null>; problem: GpuOfferProblem | null }> {
  const probe = new AwsAccountProbe(access, region);
  const firstOfFamily = new Map<string, string>();
  for (const { instanceType } of types) {
    const { code } = quotaFor(instanceType, false);
    if (!firstOfFamily.has(code)) firstOfFamily.set(code, instanceType);
  }
  let problem: GpuOfferProblem | null = null;
  const entries = await Promise.all([...firstOfFamily].map(async ([code, instanceType]) => {
    // Without servicequotas permission the list still shows types and prices; the quota says unknown.
    const quota = await probe.vcpuQuota(region, instanceType, false).then(
      (q): FamilyQuota => ({ code: q.code, name: q.name, vcpus: q.value }),
      (error: unknown) => {
        const { code: errorCode, message, fix } = toErrorInfo(error);
        problem ??= { about: 'quota', error: { code: errorCode, fix, message: `Your vCPU quotas in ${region} could not be read, so the list cannot say which types you may launch. ${message}` } };
        return null;
      },
    );
    return [code, quota] as const;
  }));
  return { quotas: new Map(entries), problem };
}
