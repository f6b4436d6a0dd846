import type { CheckReport, InstanceTypeOption, QuotaRequestResult } from '../../shared/views.js';
import { GPU_MODEL_PATTERN, type GpuOffersQuery, type GpuOffersView } from '../../shared/gpu-offers.js';
import { CloudRigError } from '../errors.js';
import { runFirstRunChecks, type CheckTarget } from '../first-run-checks.js';
import { gpuOffersView } from '../gpu-offer-rows.js';
import { validateRegion } from '../validate.js';
import type { CloudRigCore, GpuOfferList } from './cloudrig-core.js';

/** Pricing lookups run this many at a time: the Pricing API throttles bursts (answers are cached a day). */
const PRICE_LOOKUPS_AT_ONCE = 4;

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The GPU instance types of a region with their on-demand price, for the setup form's picker. */
export async function listInstanceTypes(core: CloudRigCore, region: string): Promise<InstanceTypeOption[]> {
  validateRegion(region, 'region');
  const types = await core.account.gpuTypes(region);
  const hourly = await mapLimited(types, PRICE_LOOKUPS_AT_ONCE, (type) =>
    core.prices.onDemandHourly(region, type.instanceType).then((price) => price?.usd ?? null, () => null));
  return types.map((type, index) => ({ ...type, hourlyUsd: hourly[index] ?? null }));
}

/** GPU offers (prices, quota) in some regions, for `rig gpus`. */
export function listGpuOffers(core: CloudRigCore, regions: readonly string[], gpu: string | null): Promise<GpuOfferList> {
  return core.account.gpuOffers(regions, gpu);
}

/**
 * The app's instance-type picker: the GPU offers of the form's region (or of every enabled region
 * for one GPU model, for "cheapest regions"), sorted and quota-checked as `rig gpus` lists them.
 */
export async function listGpuOffersView(core: CloudRigCore, query: GpuOffersQuery): Promise<GpuOffersView> {
  if (query.gpu !== null && !GPU_MODEL_PATTERN.test(query.gpu)) {
    throw new CloudRigError('InvalidInput', `"${query.gpu}" is not a GPU model.`,
      { action: 'correct-input', field: 'gpuModel', hint: 'give a GPU model such as A10G.' });
  }
  const regions = query.scope === 'all-regions' ? await core.account.enabledRegions() : [validateRegion(query.region, 'region')];
  const list = await listGpuOffers(core, regions, query.gpu);
  return gpuOffersView(list, { scope: query.scope, regions, filter: { gpu: query.gpu } });
}

/** The first-run checks: credentials, the default VPC, the vCPU quota for the type. */
export async function runAccountChecks(core: CloudRigCore, target: CheckTarget): Promise<CheckReport> {
  validateRegion(target.region, 'region');
  return runFirstRunChecks(await core.account.probe(target.region), target);
}

/** Files a vCPU quota increase. */
export function requestQuota(core: CloudRigCore, request: { readonly region: string; readonly quotaCode: string; readonly desired: number }): Promise<QuotaRequestResult> {
  validateRegion(request.region, 'region');
  return core.account.requestQuota(request.region, request.quotaCode, request.desired);
}
