import type { InstanceTypeOption } from '../shared/views.js';
import type { Price } from './price-catalog.js';
import { byText } from '../shared/text-order.js';

/** The vCPU quota that governs launching a type in a region (on-demand, by instance family). */
export interface FamilyQuota {
  readonly code: string;
  readonly name: string;
  /** vCPUs the account may run at once in that family and region. */
  readonly vcpus: number;
}

/** One GPU instance type in one region, with what it costs and whether the account may launch it. */
export interface GpuOffer extends Omit<InstanceTypeOption, 'hourlyUsd'> {
  readonly region: string;
  readonly onDemand: Price | null;
  /** The current spot price (the highest zone's, an estimate that errs high); null when EC2 has none. */
  readonly spot: Price | null;
  /** null when the quota could not be read (no servicequotas permission). */
  readonly quota: FamilyQuota | null;
}

/** What the user asked to see. */
export interface GpuFilter {
  /** A GPU model such as T4, A10G, L4, L40S, A100, H100 (case-insensitive, whole name). */
  readonly gpu?: string | null;
  /** Only offers whose on-demand price (spot price with `spot`) is at most this many USD an hour. */
  readonly maxUsd?: number | null;
  /** Compare and sort by the spot price instead of the on-demand one. */
  readonly spot?: boolean;
}

/**
 * Whether the GPU model is the one asked for: the model's last words equal the request, so `T4`
 * matches `NVIDIA T4` but not `NVIDIA T4g`, and `A10` does not match `NVIDIA A10G`.
 */
export function gpuModelIs(gpuModel: string | null, wanted: string): boolean {
  if (gpuModel === null) return false;
  const model = gpuModel.trim().toLowerCase().split(/\s+/);
  const asked = wanted.trim().toLowerCase().split(/\s+/);
  return asked.length > 0 && asked.length <= model.length && asked.every((word, i) => model[model.length - asked.length + i] === word);
}

/** The lowest hourly price an offer can be had for now (spot when it is cheaper), or null. */
export function cheapestUsd(offer: GpuOffer): number | null {
  const prices = [offer.onDemand?.usd, offer.spot?.usd].filter((usd): usd is number => typeof usd === 'number');
  return prices.length === 0 ? null : Math.min(...prices);
}

/** Whether the account's quota lets it launch one of these now: null when the quota is unknown. */
export function quotaAllows(offer: GpuOffer): boolean | null {
  return offer.quota === null ? null : offer.quota.vcpus >= offer.vcpus;
}

/**
 * The offers the user asked for, cheapest on-demand first (offers without a price last), then by
 * spot price, region and type, so the same question always gives the same list.
 */
export function selectGpuOffers(offers: readonly GpuOffer[], filter: GpuFilter = {}): GpuOffer[] {
  const { gpu, maxUsd, spot = false } = filter;
  const byPrice = (usd: number | undefined): number => usd ?? Number.POSITIVE_INFINITY;
  // The price a launch would pay: a spot ceiling must not let a dear on-demand type through, nor the reverse.
  const first = (offer: GpuOffer): number => byPrice(spot ? offer.spot?.usd : offer.onDemand?.usd);
  const second = (offer: GpuOffer): number => byPrice(spot ? offer.onDemand?.usd : offer.spot?.usd);
  return offers
    .filter((offer) => !gpu || gpuModelIs(offer.gpuModel, gpu))
    .filter((offer) => maxUsd === null || maxUsd === undefined || first(offer) <= maxUsd)
    .sort((a, b) =>
      first(a) - first(b)
      || second(a) - second(b)
      || byText(a.region, b.region)
      || byText(a.instanceType, b.instanceType));
}

/**
 * The type to offer when `instanceType` has no capacity: the same GPU model in the next size up
 * (more vCPUs, the smallest such), else the next size down; null when the catalog has no other
 * size of that GPU. Same model, so the image, drivers and the user's code still fit.
 */
export function similarGpuType(instanceType: string, catalog: ReadonlyArray<Omit<InstanceTypeOption, 'hourlyUsd'>>): string | null {
  const current = catalog.find((t) => t.instanceType === instanceType);
  if (!current?.gpuModel) return null;
  const sameGpu = catalog.filter((t) => t.instanceType !== instanceType && t.gpuModel === current.gpuModel);
  const bySize = (a: typeof current, b: typeof current): number => a.vcpus - b.vcpus || a.gpuCount - b.gpuCount || byText(a.instanceType, b.instanceType);
  const larger = sameGpu.filter((t) => t.vcpus > current.vcpus || (t.vcpus === current.vcpus && t.gpuCount > current.gpuCount)).sort(bySize);
  const smaller = sameGpu.filter((t) => !larger.includes(t)).sort(bySize).reverse();
  return larger[0]?.instanceType ?? smaller[0]?.instanceType ?? null;
}
