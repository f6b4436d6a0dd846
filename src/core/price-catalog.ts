import {
  BUNDLED_ESTIMATED_FROM,
  BUNDLED_ON_DEMAND_USD_PER_HOUR,
  BUNDLED_PRICES_DATE,
  BUNDLED_STORAGE,
  type BundledStoragePrices,
} from './price-table.js';

/** Where a price came from: fetched from AWS, or the table shipped with CloudRig. */
export type PriceSource = 'live' | 'bundled';

/** A price and its provenance; every price CloudRig shows says which it is. */
export interface Price {
  readonly usd: number;
  readonly source: PriceSource;
  /** Epoch ms when it was fetched (live) or recorded (bundled: the table's date). */
  readonly fetchedAt: number;
  /**
   * A bundled price for a region the table has no row for, taken from this neighbour's row: an
   * estimate, and every surface says so and names the neighbour. Absent for a region's own price.
   */
  readonly estimatedFrom?: string;
}

/** Why the AWS Pricing API gave no price, as far as the catalog knows. */
export type PricingProblem =
  /** Refused: the credentials may not call pricing:GetProducts. */
  | 'denied'
  /** Answered, but with no on-demand Linux product for the region and type. */
  | 'no-product'
  /** Unreachable, throttled or failing. */
  | 'unavailable';

/** What storage and addresses cost in one region. */
export interface StoragePrices {
  /** EBS gp3, USD per GB-month. */
  readonly gp3GbMonth: Price;
  /** EBS snapshots (standard tier), USD per GB-month. */
  readonly snapshotGbMonth: Price;
  /** A public IPv4 address kept allocated, USD per hour. */
  readonly publicIpv4Hour: Price;
}

/** Prices for the things a workstation is billed for. Adapters fetch; core only reads. */
export interface PriceCatalog {
  /** On-demand Linux USD per hour; null when neither AWS nor the bundled table knows the type. */
  onDemandHourly(region: string, instanceType: string): Promise<Price | null>;
  /**
   * Current spot USD per hour in `availabilityZone` (null zone: the highest in the region, so an
   * estimate before launch errs high); null when AWS reports none.
   */
  spotHourly(region: string, instanceType: string, availabilityZone: string | null): Promise<Price | null>;
  storage(region: string): Promise<StoragePrices>;
  /**
   * Why the Pricing API last gave no price for this region and type (null: it did, or was not
   * asked); lets an unknown rate say why and how to fix it.
   */
  pricingProblem?(region: string, instanceType: string): PricingProblem | null;
}

/** The rate an instance is billed at, and on which market. */
export interface HourlyRate extends Price {
  readonly market: 'on-demand' | 'spot';
}

/** What decides an instance's rate. */
export interface RateTarget {
  readonly region: string;
  readonly instanceType: string;
  readonly spot: boolean;
  readonly availabilityZone: string | null;
}

/**
 * The hourly rate of an instance. A spot instance without a spot price is shown at the on-demand
 * price: spot never bills above it, so the estimate errs high rather than low.
 */
export async function hourlyRateOf(catalog: PriceCatalog, target: RateTarget): Promise<HourlyRate | null> {
  if (target.spot) {
    const spot = await catalog.spotHourly(target.region, target.instanceType, target.availabilityZone);
    if (spot !== null) return { ...spot, market: 'spot' };
  }
  const onDemand = await catalog.onDemandHourly(target.region, target.instanceType);
  return onDemand === null ? null : { ...onDemand, market: 'on-demand' };
}

/** Epoch ms of the bundled table's date. */
export const BUNDLED_PRICES_AT = Date.parse(`${BUNDLED_PRICES_DATE}T00:00:00Z`);

/**
 * The bundled on-demand price: the region's own row, else a neighbour's row marked as an estimate
 * (see BUNDLED_ESTIMATED_FROM), else null: the table lacks the region or the type.
 */
export function bundledOnDemandHourly(region: string, instanceType: string, options: { readonly estimates?: boolean } = {}): Price | null {
  const own = BUNDLED_ON_DEMAND_USD_PER_HOUR[region]?.[instanceType];
  if (own !== undefined) return { usd: own, source: 'bundled', fetchedAt: BUNDLED_PRICES_AT };
  if (options.estimates === false) return null;
  const neighbour = BUNDLED_ESTIMATED_FROM[region];
  const estimate = neighbour === undefined ? undefined : BUNDLED_ON_DEMAND_USD_PER_HOUR[neighbour]?.[instanceType];
  return estimate === undefined ? null : { usd: estimate, source: 'bundled', fetchedAt: BUNDLED_PRICES_AT, estimatedFrom: neighbour! };
}

/** Whether the bundled table prices a region at all (its own row or a neighbour's). */
export function bundledTableCovers(region: string): boolean {
  return BUNDLED_ON_DEMAND_USD_PER_HOUR[region] !== undefined || BUNDLED_ESTIMATED_FROM[region] !== undefined;
}

/** The bundled storage prices; a region the table lacks gets the highest known, so it errs high. */
export function bundledStoragePrices(region: string): StoragePrices {
  const known = BUNDLED_STORAGE[region] ?? highestStoragePrices();
  const price = (usd: number): Price => ({ usd, source: 'bundled', fetchedAt: BUNDLED_PRICES_AT });
  return {
    gp3GbMonth: price(known.gp3GbMonth),
    snapshotGbMonth: price(known.snapshotGbMonth),
    publicIpv4Hour: price(known.publicIpv4Hour),
  };
}

function highestStoragePrices(): BundledStoragePrices {
  const all = Object.values(BUNDLED_STORAGE);
  return {
    gp3GbMonth: Math.max(...all.map((p) => p.gp3GbMonth)),
    snapshotGbMonth: Math.max(...all.map((p) => p.snapshotGbMonth)),
    publicIpv4Hour: Math.max(...all.map((p) => p.publicIpv4Hour)),
  };
}
