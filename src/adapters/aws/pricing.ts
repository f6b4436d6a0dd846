import type { EC2Client} from '@aws-sdk/client-ec2';
import { DescribeSpotPriceHistoryCommand, paginateDescribeSpotPriceHistory, type _InstanceType } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import * as z from 'zod';
import {
  bundledOnDemandHourly,
  bundledStoragePrices,
  type Price,
  type PriceCatalog,
  type PricingProblem,
  type StoragePrices,
} from '../../core/price-catalog.js';
import type { Clock } from '../../core/ports.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { parseJson, readJsonFile } from '../store/json-file.js';
import type { AwsAccess } from './client-config.js';
import { awsClients, type AwsClients } from './client-registry.js';

/** The Price List Query API answers in us-east-1 (also eu-central-1 and ap-south-1; prices are global). */
export const PRICING_API_REGION = 'us-east-1';

/** Live on-demand prices are reused for a day: AWS changes them rarely, and GetProducts is slow. */
export const PRICE_CACHE_TTL_MS = 24 * 3_600_000;

/** After Pricing fails, use the bundled table for this long before asking again (keeps polls fast). */
export const PRICING_RETRY_AFTER_MS = 10 * 60_000;

/** Spot prices move slowly (every few minutes at most); reuse one this long. */
export const SPOT_PRICE_TTL_MS = 10 * 60_000;

/** Pages of 100 products read for one type in one region (a handful match); a bound on a runaway list. */
const MAX_PAGES = 5;
/** The same bound for one type in every region (one or a few products a region, about 40 regions). */
const MAX_PAGES_ALL_REGIONS = 20;

/** What the catalog needs. */
export interface AwsPriceCatalogOptions {
  /** The cache file in the CloudRig home, e.g. `<home>/cache/prices.json`. */
  readonly cacheFile: string;
  readonly clock: Clock;
  readonly access: AwsAccess;
  /** Injected clients (tests); by default made from `access`. */
  readonly pricingClient?: PricingClient;
  readonly ec2Client?: (region: string) => EC2Client;
}

const CachedPriceSchema = z.object({ usd: z.number().positive(), fetchedAt: z.number() });
const CacheFileSchema = z.object({
  version: z.literal(1),
  onDemand: z.record(z.string(), CachedPriceSchema),
  /** When the Pricing API last failed or had no price: every process (each `rig` run) rests after it. */
  pricingFailedAt: z.number().optional(),
  /** How it failed: every process's unknown rate then says why (denied or unavailable). */
  pricingProblem: z.enum(['denied', 'unavailable']).optional(),
  /** When each type's all-region pass last ran: regions it did not price keep the bundled price till the next day. */
  passes: z.record(z.string(), z.number()).optional(),
});
type CacheFile = z.infer<typeof CacheFileSchema>;

// One PriceList entry, read loosely: only what the price needs.
const PriceListEntrySchema = z.object({
  product: z.object({ attributes: z.record(z.string(), z.string()).optional() }).optional(),
  terms: z
    .object({
      OnDemand: z
        .record(
          z.string(),
          z.object({
            priceDimensions: z.record(
              z.string(),
              z.object({ unit: z.string().optional(), pricePerUnit: z.record(z.string(), z.string()).optional() }),
            ),
          }),
        )
        .optional(),
    })
    .optional(),
});

/**
 * Prices from AWS with the bundled table as the fallback: on-demand from the Pricing API
 * (GetProducts), cached for a day in the home; spot from EC2 DescribeSpotPriceHistory; storage from
 * the bundled table (labelled so). Never throws for a price: when AWS will not say, the bundled table
 * does, and the label tells the user which.
 */
export class AwsPriceCatalog implements PriceCatalog {
  readonly #options: AwsPriceCatalogOptions;
  /** The clients of this access, shared with the rest of the process. */
  readonly #clients: AwsClients;
  readonly #spot = new Map<string, Price | null>();
  readonly #spotFetchedAt = new Map<string, number>();
  /** When Pricing last had no product for a `region type`: that one type rests, not the whole API. */
  readonly #noProduct = new Map<string, number>();
  #pricing: PricingClient | null = null;
  #pricingFailedAt: number | null = null;
  #pricingProblem: 'denied' | 'unavailable' | null = null;
  #cache: CacheFile | null = null;
  /** The one read of the cache file, shared by lookups that start before it has answered. */
  #cacheRead: Promise<CacheFile> | null = null;
  #writing: Promise<void> = Promise.resolve();
  /** Why the last Pricing call failed, for --debug output. */
  lastPricingError: string | null = null;
  /** The error of the last failed Pricing call (null after a success), for a list that says why its prices are bundled. */
  lastPricingFailure: unknown = null;

  constructor(options: AwsPriceCatalogOptions) {
    this.#options = options;
    this.#clients = awsClients(options.access);
  }

  async onDemandHourly(region: string, instanceType: string): Promise<Price | null> {
    const now = this.#options.clock.now();
    const key = `${region} ${instanceType}`;
    const cache = await this.#readCache();
    const cached = cache.onDemand[key];
    if (cached !== undefined && now - cached.fetchedAt < PRICE_CACHE_TTL_MS && cached.fetchedAt <= now) {
      return { usd: cached.usd, source: 'live', fetchedAt: cached.fetchedAt };
    }
    const failedAt = Math.max(this.#pricingFailedAt ?? -Infinity, cache.pricingFailedAt ?? -Infinity);
    const pricingResting = now - failedAt < PRICING_RETRY_AFTER_MS && failedAt <= now;
    const missingAt = this.#noProduct.get(key);
    const knownMissing = missingAt !== undefined && now - missingAt < PRICING_RETRY_AFTER_MS && missingAt <= now;
    if (!pricingResting && !knownMissing) {
      try {
        const usd = await this.#fetchOnDemand(region, instanceType);
        this.#pricingFailedAt = null;
        this.#pricingProblem = null;
        this.#noProduct.delete(key);
        this.lastPricingError = null;
        this.lastPricingFailure = null;
        if (usd !== null) {
          const fresh = { usd, fetchedAt: this.#options.clock.now() };
          // Merged into the latest cache: lookups and passes for other types run alongside.
          const latest = this.#cache ?? cache;
          await this.#writeCache({ ...latest, onDemand: { ...latest.onDemand, [key]: fresh }, pricingFailedAt: undefined });
          return { ...fresh, source: 'live' };
        }
        // No matching product: the table answers; asking again at every look would not help. Only
        // this type rests: resting the whole API would leave every other type bundled for a while.
        this.#noProduct.set(key, now);
        this.lastPricingError = 'no matching product';
      } catch (error) {
        // Denied (no pricing:GetProducts), unreachable or throttled: fall back, and rest a while.
        await this.#restPricing(cache, now, error instanceof Error ? `${error.name}: ${error.message}` : String(error), error);
      }
    }
    // A live price past its day is still closer to the truth than the table; it keeps its fetch time.
    if (cached !== undefined) return { usd: cached.usd, source: 'live', fetchedAt: cached.fetchedAt };
    return bundledOnDemandHourly(region, instanceType);
  }

  pricingProblem(region: string, instanceType: string): PricingProblem | null {
    if (this.#noProduct.has(`${region} ${instanceType}`)) return 'no-product';
    const cache = this.#cache;
    const failedAt = Math.max(this.#pricingFailedAt ?? -Infinity, cache?.pricingFailedAt ?? -Infinity);
    if (failedAt === -Infinity) return null;
    return this.#pricingProblem ?? cache?.pricingProblem ?? 'unavailable';
  }

  async spotHourly(region: string, instanceType: string, availabilityZone: string | null): Promise<Price | null> {
    const now = this.#options.clock.now();
    const key = `${region} ${instanceType} ${availabilityZone ?? '*'}`;
    const fetchedAt = this.#spotFetchedAt.get(key);
    if (fetchedAt !== undefined && now - fetchedAt < SPOT_PRICE_TTL_MS) return this.#spot.get(key) ?? null;
    let price: Price | null;
    try {
      const usd = await this.#fetchSpot(region, instanceType, availabilityZone);
      price = usd === null ? null : { usd, source: 'live', fetchedAt: now };
    } catch {
      // No spot price: the caller shows the on-demand price, which spot never exceeds.
      price = null;
    }
    this.#spot.set(key, price);
    this.#spotFetchedAt.set(key, now);
    return price;
  }

  async storage(region: string): Promise<StoragePrices> {
    // Storage prices are small and stable; the bundled table is labelled as such.
    return bundledStoragePrices(region);
  }

  async #fetchOnDemand(region: string, instanceType: string): Promise<number | null> {
    const prices: number[] = [];
    for await (const entry of this.#onDemandProducts(instanceType, region, MAX_PAGES)) {
      const usd = hourlyUsdOf(entry);
      if (usd !== null) prices.push(usd);
    }
    // Several products can match (e.g. a reserved-capacity variant); the plain on-demand one is the lowest.
    return prices.length === 0 ? null : Math.min(...prices);
  }

  /**
   * The price list's Linux, shared-tenancy, on-demand products of one type, in one region or (null)
   * in every region, as the entries' JSON text; at most `maxPages` pages of 100 are read.
   */
  async *#onDemandProducts(instanceType: string, region: string | null, maxPages: number): AsyncGenerator<string> {
    const filter = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });
    const { client } = await this.#pricingClient();
    const { paginateGetProducts } = await import('@aws-sdk/client-pricing');
    const pages = paginateGetProducts({ client, pageSize: 100 }, {
      ServiceCode: 'AmazonEC2',
      FormatVersion: 'aws_v1',
      Filters: [
        filter('instanceType', instanceType),
        ...(region === null ? [] : [filter('regionCode', region)]),
        filter('operatingSystem', 'Linux'),
        filter('tenancy', 'Shared'),
        filter('preInstalledSw', 'NA'),
        filter('capacitystatus', 'Used'),
      ],
    });
    let page = 0;
    for await (const response of pages) {
      for (const entry of response.PriceList ?? []) yield String(entry);
      if (++page >= maxPages) break;
    }
  }

  async #fetchSpot(region: string, instanceType: string, availabilityZone: string | null): Promise<number | null> {
    const now = this.#options.clock.now();
    const response = await this.#ec2(region).send(
      new DescribeSpotPriceHistoryCommand({
        InstanceTypes: [instanceType as _InstanceType],
        ProductDescriptions: ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'],
        ...(availabilityZone === null ? {} : { AvailabilityZone: availabilityZone }),
        // A start time of now asks for the price in effect now (one entry per zone).
        StartTime: new Date(now),
        EndTime: new Date(now),
        MaxResults: 100,
      }),
    );
    const newestPerZone = new Map<string, { at: number; usd: number }>();
    for (const entry of response.SpotPriceHistory ?? []) {
      const usd = Number(entry.SpotPrice);
      const zone = entry.AvailabilityZone ?? '';
      if (!Number.isFinite(usd) || usd <= 0 || entry.InstanceType !== instanceType) continue;
      if (!(entry.ProductDescription ?? 'Linux/UNIX').startsWith('Linux/UNIX')) continue;
      if (availabilityZone !== null && zone !== availabilityZone) continue;
      const at = entry.Timestamp?.getTime() ?? 0;
      const known = newestPerZone.get(zone);
      if (known === undefined || at > known.at) newestPerZone.set(zone, { at, usd });
    }
    if (newestPerZone.size === 0) return null;
    // Without a zone (not launched yet), the highest zone: an estimate that errs high.
    return Math.max(...[...newestPerZone.values()].map((p) => p.usd));
  }

  /**
   * On-demand prices of one type in many regions from one Pricing pass for the type (GetProducts
   * without a region filter), cached per region for a day like single lookups. Regions AWS does not
   * price, or every region while Pricing is unavailable, get the bundled table (labelled so).
   */
  async onDemandHourlyByRegion(instanceType: string, regions: readonly string[]): Promise<Map<string, Price | null>> {
    const now = this.#options.clock.now();
    let cache = await this.#readCache();
    const fresh = (region: string) => {
      const cached = cache.onDemand[`${region} ${instanceType}`];
      return cached !== undefined && now - cached.fetchedAt < PRICE_CACHE_TTL_MS && cached.fetchedAt <= now ? cached : undefined;
    };
    const failedAt = Math.max(this.#pricingFailedAt ?? -Infinity, cache.pricingFailedAt ?? -Infinity);
    const pricingResting = now - failedAt < PRICING_RETRY_AFTER_MS && failedAt <= now;
    const passedAt = cache.passes?.[instanceType];
    const passFresh = passedAt !== undefined && now - passedAt < PRICE_CACHE_TTL_MS && passedAt <= now;
    if (!pricingResting && !passFresh && regions.some((region) => fresh(region) === undefined)) {
      try {
        const byRegion = await this.#fetchOnDemandAllRegions(instanceType);
        const fetchedAt = this.#options.clock.now();
        // Merged into the latest cache without awaiting in between: passes for other types run alongside.
        const latest = this.#cache ?? cache;
        const onDemand = { ...latest.onDemand };
        for (const [region, usd] of byRegion) onDemand[`${region} ${instanceType}`] = { usd, fetchedAt };
        this.#pricingFailedAt = null;
        this.#pricingProblem = null;
        this.lastPricingError = null;
        this.lastPricingFailure = null;
        cache = { ...latest, onDemand, passes: { ...latest.passes, [instanceType]: fetchedAt }, pricingFailedAt: undefined };
        await this.#writeCache(cache);
      } catch (error) {
        await this.#restPricing(cache, now, error instanceof Error ? `${error.name}: ${error.message}` : String(error), error);
      }
    }
    return new Map(regions.map((region) => {
      const cached = cache.onDemand[`${region} ${instanceType}`];
      // No neighbour estimates in a list that compares regions: it would rank a guess against prices.
      const price: Price | null = cached !== undefined ? { usd: cached.usd, source: 'live', fetchedAt: cached.fetchedAt } : bundledOnDemandHourly(region, instanceType, { estimates: false });
      return [region, price] as const;
    }));
  }

  /**
   * The current spot price of each of `instanceTypes` in one region, from one (paginated)
   * DescribeSpotPriceHistory call for them all; the highest zone's price, as spotHourly without a zone.
   */
  async spotHourlyByType(region: string, instanceTypes: readonly string[]): Promise<Map<string, Price | null>> {
    const now = this.#options.clock.now();
    const result = new Map<string, Price | null>();
    const wanted = instanceTypes.filter((type) => {
      const key = `${region} ${type} *`;
      const fetchedAt = this.#spotFetchedAt.get(key);
      if (fetchedAt !== undefined && now - fetchedAt < SPOT_PRICE_TTL_MS) {
        result.set(type, this.#spot.get(key) ?? null);
        return false;
      }
      return true;
    });
    if (wanted.length === 0) return result;
    const highest = new Map<string, number>();
    try {
      const newest = new Map<string, { at: number; usd: number }>();
      const pages = paginateDescribeSpotPriceHistory({ client: this.#ec2(region), pageSize: 1000 }, {
        InstanceTypes: wanted as _InstanceType[],
        ProductDescriptions: ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'],
        StartTime: new Date(now),
        EndTime: new Date(now),
      });
      for await (const page of pages) {
        for (const entry of page.SpotPriceHistory ?? []) {
          const usd = Number(entry.SpotPrice);
          if (!Number.isFinite(usd) || usd <= 0 || !entry.InstanceType) continue;
          const key = `${entry.InstanceType} ${entry.AvailabilityZone ?? ''}`;
          const at = entry.Timestamp?.getTime() ?? 0;
          const known = newest.get(key);
          if (known === undefined || at > known.at) newest.set(key, { at, usd });
        }
      }
      for (const [key, { usd }] of newest) {
        const type = key.split(' ')[0] ?? '';
        highest.set(type, Math.max(highest.get(type) ?? 0, usd));
      }
    } catch {
      // No spot prices: the list shows on-demand only, as spotHourly does.
    }
    for (const type of wanted) {
      const usd = highest.get(type);
      const price: Price | null = usd === undefined ? null : { usd, source: 'live', fetchedAt: now };
      this.#spot.set(`${region} ${type} *`, price);
      this.#spotFetchedAt.set(`${region} ${type} *`, now);
      result.set(type, price);
    }
    return result;
  }

  async #fetchOnDemandAllRegions(instanceType: string): Promise<Map<string, number>> {
    const lowest = new Map<string, number>();
    for await (const entry of this.#onDemandProducts(instanceType, null, MAX_PAGES_ALL_REGIONS)) {
      const region = regionCodeOf(entry);
      const usd = hourlyUsdOf(entry);
      if (region === null || usd === null) continue;
      // Several products can match per region; the plain on-demand one is the lowest.
      lowest.set(region, Math.min(lowest.get(region) ?? Number.POSITIVE_INFINITY, usd));
    }
    return lowest;
  }

  /** Loaded on first use: most runs price from the cache or the bundled table and never need it. */
  async #pricingClient() {
    this.#pricing ??= this.#options.pricingClient ?? await this.#clients.pricing(PRICING_API_REGION);
    return { client: this.#pricing };
  }

  #ec2(region: string): EC2Client {
    return this.#options.ec2Client?.(region) ?? this.#clients.ec2(region);
  }

  async #restPricing(cache: CacheFile, now: number, why: string, failure: unknown = null): Promise<void> {
    this.#pricingFailedAt = now;
    this.#pricingProblem = isDenied(failure) ? 'denied' : 'unavailable';
    this.lastPricingError = why;
    this.lastPricingFailure = failure;
    await this.#writeCache({ ...(this.#cache ?? cache), pricingFailedAt: now, pricingProblem: this.#pricingProblem }).catch(() => undefined);
  }

  #readCache(): Promise<CacheFile> {
    if (this.#cache) return Promise.resolve(this.#cache);
    // One read for every lookup that starts before it answers. Each reading the file itself would
    // set the cache when its own read answered, over a price another lookup had fetched and
    // merged in the meantime, and that price would never reach the file.
    this.#cacheRead ??= readJsonFile(this.#options.cacheFile, CacheFileSchema).then((read) => {
      // A missing or damaged cache is only a cache: start over.
      this.#cache ??= read ?? emptyCache();
      return this.#cache;
    }, (error: unknown) => {
      // A read that failed is tried again by the next lookup, as before.
      this.#cacheRead = null;
      throw error;
    });
    return this.#cacheRead;
  }

  async #writeCache(cache: CacheFile): Promise<void> {
    this.#cache = cache;
    // One write at a time, each of the newest cache: concurrent lookups (one Pricing pass per type)
    // would otherwise race their renames and leave an older cache on disk.
    this.#writing = this.#writing.then(async () => {
      try {
        await writeFileAtomic(this.#options.cacheFile, `${JSON.stringify(this.#cache, null, 2)}\n`, 0o644);
      } catch {
        // A cache that cannot be written costs one more GetProducts next time, nothing else.
      }
    });
    await this.#writing;
  }
}

/** Whether Pricing refused the credentials (no pricing:GetProducts), as opposed to failing. */
function isDenied(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return name === 'AccessDeniedException' || name === 'UnauthorizedOperation' || $metadata?.httpStatusCode === 403;
}

function emptyCache(): CacheFile {
  return { version: 1, onDemand: {} };
}

/** The on-demand USD per hour in one PriceList entry (a JSON string), or null when it has none. */
export function hourlyUsdOf(priceListEntry: string): number | null {
  const entry = parseJson(priceListEntry, PriceListEntrySchema);
  if (!entry) return null;
  const prices: number[] = [];
  for (const term of Object.values(entry.terms?.OnDemand ?? {})) {
    for (const dimension of Object.values(term.priceDimensions)) {
      const usd = Number(dimension.pricePerUnit?.USD);
      if ((dimension.unit ?? 'Hrs') === 'Hrs' && Number.isFinite(usd) && usd > 0) prices.push(usd);
    }
  }
  return prices.length === 0 ? null : Math.min(...prices);
}

/** The region code of one PriceList entry (a JSON string), or null when it has none. */
export function regionCodeOf(priceListEntry: string): string | null {
  return parseJson(priceListEntry, PriceListEntrySchema)?.product?.attributes?.regionCode ?? null;
}
