import { DescribeSpotPriceHistoryCommand, EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { z } from 'zod';
import {
  bundledOnDemandHourly,
  bundledStoragePrices,
  type Price,
  type PriceCatalog,
  type StoragePrices,
} from '../../core/price-catalog.js';
import type { Clock } from '../../core/ports.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { readJsonFile } from '../store/json-file.js';
import { clientConfig, type AwsAccess } from './client-config.js';

/** The Price List Query API answers in us-east-1 (also eu-central-1 and ap-south-1; prices are global). */
export const PRICING_API_REGION = 'us-east-1';

/** Live on-demand prices are reused for a day: AWS changes them rarely, and GetProducts is slow. */
export const PRICE_CACHE_TTL_MS = 24 * 3_600_000;

/** After Pricing fails, use the bundled table for this long before asking again (keeps polls fast). */
export const PRICING_RETRY_AFTER_MS = 10 * 60_000;

/** Spot prices move slowly (every few minutes at most); reuse one this long. */
export const SPOT_PRICE_TTL_MS = 10 * 60_000;

const MAX_PAGES = 5;

/** What the catalog needs. */
export interface AwsPriceCatalogOptions {
  /** The cache file in the CloudRig home, e.g. `<home>/cache/prices.json`. */
  readonly cacheFile: string;
  readonly clock: Clock;
  readonly access?: AwsAccess;
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
  readonly #ec2Clients = new Map<string, EC2Client>();
  readonly #spot = new Map<string, Price | null>();
  readonly #spotFetchedAt = new Map<string, number>();
  #pricing: PricingClient | null = null;
  #pricingFailedAt: number | null = null;
  #cache: CacheFile | null = null;
  /** Why the last Pricing call failed, for --debug output. */
  lastPricingError: string | null = null;

  constructor(options: AwsPriceCatalogOptions) {
    this.#options = options;
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
    if (!pricingResting) {
      try {
        const usd = await this.#fetchOnDemand(region, instanceType);
        this.#pricingFailedAt = null;
        this.lastPricingError = null;
        if (usd !== null) {
          const fresh = { usd, fetchedAt: this.#options.clock.now() };
          await this.#writeCache({ ...cache, onDemand: { ...cache.onDemand, [key]: fresh }, pricingFailedAt: undefined });
          return { ...fresh, source: 'live' };
        }
        // No matching product: the table answers; asking again at every look would not help.
        await this.#restPricing(cache, now, 'no matching product');
      } catch (error) {
        // Denied (no pricing:GetProducts), unreachable or throttled: fall back, and rest a while.
        await this.#restPricing(cache, now, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }
    // A live price past its day is still closer to the truth than the table; it keeps its fetch time.
    if (cached !== undefined) return { usd: cached.usd, source: 'live', fetchedAt: cached.fetchedAt };
    return bundledOnDemandHourly(region, instanceType);
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
    const filter = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });
    const prices: number[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { client, GetProductsCommand } = await this.#pricingClient();
      const response = await client.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonEC2',
          FormatVersion: 'aws_v1',
          Filters: [
            filter('instanceType', instanceType),
            filter('regionCode', region),
            filter('operatingSystem', 'Linux'),
            filter('tenancy', 'Shared'),
            filter('preInstalledSw', 'NA'),
            filter('capacitystatus', 'Used'),
          ],
          MaxResults: 100,
          NextToken: nextToken,
        }),
      );
      for (const entry of response.PriceList ?? []) {
        const usd = hourlyUsdOf(String(entry));
        if (usd !== null) prices.push(usd);
      }
      nextToken = response.NextToken;
      if (!nextToken) break;
    }
    // Several products can match (e.g. a reserved-capacity variant); the plain on-demand one is the lowest.
    return prices.length === 0 ? null : Math.min(...prices);
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

  /** Loaded on first use: most runs price from the cache or the bundled table and never need it. */
  async #pricingClient() {
    const { GetProductsCommand, PricingClient } = await import('@aws-sdk/client-pricing');
    this.#pricing ??=
      this.#options.pricingClient ??
      new PricingClient({
        // Two attempts with clientConfig's per-attempt timeouts: fails over to the bundled table quickly.
        ...clientConfig(PRICING_API_REGION, { maxAttempts: 2, ...this.#options.access }),
      });
    return { client: this.#pricing, GetProductsCommand };
  }

  #ec2(region: string): EC2Client {
    let client = this.#ec2Clients.get(region);
    if (client === undefined) {
      client = this.#options.ec2Client?.(region) ?? new EC2Client(clientConfig(region, this.#options.access ?? {}));
      this.#ec2Clients.set(region, client);
    }
    return client;
  }

  async #restPricing(cache: CacheFile, now: number, why: string): Promise<void> {
    this.#pricingFailedAt = now;
    this.lastPricingError = why;
    await this.#writeCache({ ...cache, pricingFailedAt: now }).catch(() => undefined);
  }

  async #readCache(): Promise<CacheFile> {
    // A missing or damaged cache is only a cache: start over.
    this.#cache ??= (await readJsonFile(this.#options.cacheFile, CacheFileSchema)) ?? emptyCache();
    return this.#cache;
  }

  async #writeCache(cache: CacheFile): Promise<void> {
    this.#cache = cache;
    try {
      await writeFileAtomic(this.#options.cacheFile, `${JSON.stringify(cache, null, 2)}\n`, 0o644);
    } catch {
      // A cache that cannot be written costs one more GetProducts next time, nothing else.
    }
  }
}

function emptyCache(): CacheFile {
  return { version: 1, onDemand: {} };
}

/** The on-demand USD per hour in one PriceList entry (a JSON string), or null when it has none. */
export function hourlyUsdOf(priceListEntry: string): number | null {
  let json: unknown;
  try {
    json = JSON.parse(priceListEntry);
  } catch {
    return null;
  }
  const parsed = PriceListEntrySchema.safeParse(json);
  if (!parsed.success) return null;
  const prices: number[] = [];
  for (const term of Object.values(parsed.data.terms?.OnDemand ?? {})) {
    for (const dimension of Object.values(term.priceDimensions)) {
      const usd = Number(dimension.pricePerUnit?.USD);
      if ((dimension.unit ?? 'Hrs') === 'Hrs' && Number.isFinite(usd) && usd > 0) prices.push(usd);
    }
  }
  return prices.length === 0 ? null : Math.min(...prices);
}
