#!/usr/bin/env node
// Regenerates src/core/price-table.ts (the bundled prices CloudRig falls back to) from the AWS Price
// List Query API. Needs credentials allowed `pricing:GetProducts` (any account; prices are public).
//
//   node scripts/update-price-table.mjs            # rewrite src/core/price-table.ts
//   node scripts/update-price-table.mjs --check    # print the table, write nothing
//
// Honours AWS_PROFILE / AWS_ENDPOINT_URL like every SDK client. Fails (and writes nothing) when a
// price is missing, rather than shipping a table with holes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'core', 'price-table.ts');

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];

const SIZES = {
  g4dn: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal'],
  g5: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  g6: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  g6e: ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'],
  p3: ['2xlarge', '8xlarge', '16xlarge'],
  p4d: ['24xlarge'],
  p5: ['48xlarge'],
};
const INSTANCE_TYPES = Object.entries(SIZES).flatMap(([family, sizes]) => sizes.map((size) => `${family}.${size}`));

/** Public IPv4 is one global price (VPC service), unchanged since it was introduced in Feb 2024. */
const PUBLIC_IPV4_HOUR = 0.005;

const pricing = new PricingClient({ region: 'us-east-1' });

const term = (Field, Value) => ({ Type: 'TERM_MATCH', Field, Value });

/** Every product matching the filters, as parsed JSON. */
async function products(filters) {
  const found = [];
  let NextToken;
  do {
    const page = await pricing.send(new GetProductsCommand({ ServiceCode: 'AmazonEC2', FormatVersion: 'aws_v1', Filters: filters, MaxResults: 100, NextToken }));
    for (const entry of page.PriceList ?? []) found.push(JSON.parse(String(entry)));
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/** The lowest positive USD price of the product's on-demand terms in `unit`. */
function usdOf(product, unit) {
  const prices = [];
  for (const offer of Object.values(product.terms?.OnDemand ?? {})) {
    for (const dimension of Object.values(offer.priceDimensions ?? {})) {
      const usd = Number(dimension.pricePerUnit?.USD);
      if (dimension.unit === unit && Number.isFinite(usd) && usd > 0) prices.push(usd);
    }
  }
  return prices.length === 0 ? null : Math.min(...prices);
}

function lowest(values) {
  const known = values.filter((v) => v !== null);
  return known.length === 0 ? null : Math.min(...known);
}

async function onDemand(region, instanceType) {
  const found = await products([
    term('instanceType', instanceType),
    term('regionCode', region),
    term('operatingSystem', 'Linux'),
    term('tenancy', 'Shared'),
    term('preInstalledSw', 'NA'),
    term('capacitystatus', 'Used'),
  ]);
  return lowest(found.map((p) => usdOf(p, 'Hrs')));
}

async function storage(region) {
  const gp3 = await products([term('regionCode', region), term('productFamily', 'Storage'), term('volumeApiName', 'gp3')]);
  const snapshots = await products([term('regionCode', region), term('productFamily', 'Storage Snapshot')]);
  const standardSnapshots = snapshots.filter((p) => String(p.product?.attributes?.usagetype ?? '').endsWith('EBS:SnapshotUsage'));
  return {
    gp3GbMonth: lowest(gp3.map((p) => usdOf(p, 'GB-Mo'))),
    snapshotGbMonth: lowest(standardSnapshots.map((p) => usdOf(p, 'GB-Mo'))),
    publicIpv4Hour: PUBLIC_IPV4_HOUR,
  };
}

/** Runs `work` over `items`, `limit` at a time (GetProducts throttles bursts). */
async function mapLimited(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  }));
  return results;
}

const date = new Date().toISOString().slice(0, 10);
const onDemandTable = {};
const storageTable = {};
const missing = [];
for (const region of REGIONS) {
  const prices = await mapLimited(INSTANCE_TYPES, 4, (type) => onDemand(region, type));
  onDemandTable[region] = {};
  INSTANCE_TYPES.forEach((type, i) => {
    // A type not offered in a region has no product there; it is simply left out.
    if (prices[i] !== null) onDemandTable[region][type] = prices[i];
  });
  if (Object.keys(onDemandTable[region]).length === 0) missing.push(`${region}: no instance prices`);
  storageTable[region] = await storage(region);
  for (const [name, value] of Object.entries(storageTable[region])) if (value === null) missing.push(`${region}: ${name}`);
  process.stderr.write(`${region}: ${Object.keys(onDemandTable[region]).length} instance types\n`);
}
if (!onDemandTable['us-east-1']?.['g4dn.xlarge']) missing.push('us-east-1: g4dn.xlarge');
if (missing.length > 0) {
  process.stderr.write(`Missing prices, nothing written:\n  ${missing.join('\n  ')}\n`);
  process.exit(1);
}

const quote = (s) => `'${s}'`;
const onDemandLines = REGIONS.map((region) => {
  const byFamily = new Map();
  for (const [type, usd] of Object.entries(onDemandTable[region])) {
    const family = type.split('.')[0];
    byFamily.set(family, [...(byFamily.get(family) ?? []), `${quote(type)}: ${usd}`]);
  }
  return `  ${quote(region)}: {\n${[...byFamily.values()].map((line) => `    ${line.join(', ')},`).join('\n')}\n  },`;
}).join('\n');
const storageLines = REGIONS.map((region) => {
  const s = storageTable[region];
  return `  ${quote(region)}: { gp3GbMonth: ${s.gp3GbMonth}, snapshotGbMonth: ${s.snapshotGbMonth}, publicIpv4Hour: ${s.publicIpv4Hour} },`;
}).join('\n');

const source = `// Bundled AWS prices: the fallback when the Pricing API is not allowed or not reachable.
//
// Source: AWS Price List (service AmazonEC2, on-demand, operatingSystem Linux, tenancy Shared,
// preInstalledSw NA, capacitystatus Used), USD per instance-hour; EBS gp3 and standard snapshot
// storage in USD per GB-month; public IPv4 in USD per address-hour (one global price).
// Recorded: ${date}, by scripts/update-price-table.mjs from the Price List Query API (GetProducts).
// Regenerate: \`node scripts/update-price-table.mjs\` (needs AWS credentials allowed
// pricing:GetProducts); it rewrites this whole file. Pure data: no logic here (see price-catalog.ts).

/** When the bundled prices were recorded (UTC date). */
export const BUNDLED_PRICES_DATE = '${date}';

/** Where the bundled prices came from, for labels and --json output. */
export const BUNDLED_PRICES_SOURCE = 'AWS Price List (AmazonEC2), recorded ${date}';

/** On-demand Linux USD per hour, by region code then instance type. */
export const BUNDLED_ON_DEMAND_USD_PER_HOUR: Readonly<Record<string, Readonly<Record<string, number>>>> = {
${onDemandLines}
};

/** Storage and address prices per region. */
export interface BundledStoragePrices {
  /** EBS gp3 volume storage, USD per GB-month (baseline IOPS and throughput are free). */
  readonly gp3GbMonth: number;
  /** EBS snapshot (standard tier), USD per GB-month of stored data. */
  readonly snapshotGbMonth: number;
  /** Public IPv4 address, in use or idle, USD per hour. */
  readonly publicIpv4Hour: number;
}

/** Storage and address prices, by region code. */
export const BUNDLED_STORAGE: Readonly<Record<string, BundledStoragePrices>> = {
${storageLines}
};
`;

if (process.argv.includes('--check')) process.stdout.write(source);
else {
  writeFileSync(OUTPUT, source);
  process.stderr.write(`Wrote ${OUTPUT}\n`);
}
