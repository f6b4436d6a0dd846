// Bundled AWS prices: the fallback when the Pricing API is not allowed or not reachable.
//
// Source: AWS Price List (service AmazonEC2, on-demand, operatingSystem Linux, tenancy Shared,
// preInstalledSw NA, capacitystatus Used), USD per instance-hour; EBS gp3 and standard snapshot
// storage in USD per GB-month; public IPv4 in USD per address-hour.
// Recorded: 2026-11-27, by hand and without network access (CloudRig's build machines reach loopback
// only), so these are not machine-checked: us-east-1 holds the list prices as last published to the
// author's knowledge (g4dn.xlarge 0.526 is pinned by a test; p4d/p5 after the June 2025 reduction);
// us-east-2 and us-west-2 list the same prices as us-east-1 for these families; eu-west-1,
// eu-central-1 and ap-northeast-1 are us-east-1 times the family's regional ratio, rounded to 4
// decimals, so they may be off by a few tenths of a cent.
// Regenerate with exact values: `node scripts/update-price-table.mjs` (needs AWS credentials allowed
// pricing:GetProducts); it rewrites this whole file. Pure data: no logic here (see price-catalog.ts).

/** When the bundled prices were recorded (UTC date). */
export const BUNDLED_PRICES_DATE = '2026-11-27';

/** Where the bundled prices came from, for labels and --json output. */
export const BUNDLED_PRICES_SOURCE = 'AWS Price List (AmazonEC2), recorded 2026-11-27';

/** The three US regions price every bundled type alike. */
const US_ON_DEMAND: Readonly<Record<string, number>> = {
  'g4dn.xlarge': 0.526, 'g4dn.2xlarge': 0.752, 'g4dn.4xlarge': 1.204, 'g4dn.8xlarge': 2.176, 'g4dn.12xlarge': 3.912, 'g4dn.16xlarge': 4.352, 'g4dn.metal': 7.824,
  'g5.xlarge': 1.006, 'g5.2xlarge': 1.212, 'g5.4xlarge': 1.624, 'g5.8xlarge': 2.448, 'g5.12xlarge': 5.672, 'g5.16xlarge': 4.096, 'g5.24xlarge': 8.144, 'g5.48xlarge': 16.288,
  'g6.xlarge': 0.8048, 'g6.2xlarge': 0.9776, 'g6.4xlarge': 1.3232, 'g6.8xlarge': 2.0144, 'g6.12xlarge': 4.6016, 'g6.16xlarge': 3.3968, 'g6.24xlarge': 6.6752, 'g6.48xlarge': 13.3504,
  'g6e.xlarge': 1.861, 'g6e.2xlarge': 2.24208, 'g6e.4xlarge': 3.00424, 'g6e.8xlarge': 4.52856, 'g6e.12xlarge': 10.49264, 'g6e.16xlarge': 7.57719, 'g6e.24xlarge': 15.06559, 'g6e.48xlarge': 30.13118,
  'p3.2xlarge': 3.06, 'p3.8xlarge': 12.24, 'p3.16xlarge': 24.48,
  'p4d.24xlarge': 21.9576,
  'p5.48xlarge': 55.04,
};

/** On-demand Linux USD per hour, by region code then instance type. */
export const BUNDLED_ON_DEMAND_USD_PER_HOUR: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'us-east-1': US_ON_DEMAND,
  'us-east-2': US_ON_DEMAND,
  'us-west-2': US_ON_DEMAND,
  'eu-west-1': {
    'g4dn.xlarge': 0.587, 'g4dn.2xlarge': 0.8392, 'g4dn.4xlarge': 1.3436, 'g4dn.8xlarge': 2.4283, 'g4dn.12xlarge': 4.3657, 'g4dn.16xlarge': 4.8567, 'g4dn.metal': 8.7313,
    'g5.xlarge': 1.123, 'g5.2xlarge': 1.353, 'g5.4xlarge': 1.8129, 'g5.8xlarge': 2.7327, 'g5.12xlarge': 6.3317, 'g5.16xlarge': 4.5724, 'g5.24xlarge': 9.0912, 'g5.48xlarge': 18.1823,
    'g6.xlarge': 0.8982, 'g6.2xlarge': 1.091, 'g6.4xlarge': 1.4767, 'g6.8xlarge': 2.2481, 'g6.12xlarge': 5.1354, 'g6.16xlarge': 3.7908, 'g6.24xlarge': 7.4495, 'g6.48xlarge': 14.899,
    'g6e.xlarge': 2.0769, 'g6e.2xlarge': 2.5022, 'g6e.4xlarge': 3.3527, 'g6e.8xlarge': 5.0539, 'g6e.12xlarge': 11.7098, 'g6e.16xlarge': 8.4561, 'g6e.24xlarge': 16.8132, 'g6e.48xlarge': 33.6264,
    'p3.2xlarge': 3.305, 'p3.8xlarge': 13.22, 'p3.16xlarge': 26.44,
    'p4d.24xlarge': 23.7142,
    'p5.48xlarge': 59.4432,
  },
  'eu-central-1': {
    'g4dn.xlarge': 0.658, 'g4dn.2xlarge': 0.9407, 'g4dn.4xlarge': 1.5061, 'g4dn.8xlarge': 2.7221, 'g4dn.12xlarge': 4.8937, 'g4dn.16xlarge': 5.4441, 'g4dn.metal': 9.7874,
    'g5.xlarge': 1.258, 'g5.2xlarge': 1.5156, 'g5.4xlarge': 2.0308, 'g5.8xlarge': 3.0612, 'g5.12xlarge': 7.0928, 'g5.16xlarge': 5.122, 'g5.24xlarge': 10.184, 'g5.48xlarge': 20.3681,
    'g6.xlarge': 1.006, 'g6.2xlarge': 1.222, 'g6.4xlarge': 1.654, 'g6.8xlarge': 2.518, 'g6.12xlarge': 5.752, 'g6.16xlarge': 4.246, 'g6.24xlarge': 8.344, 'g6.48xlarge': 16.688,
    'g6e.xlarge': 2.3263, 'g6e.2xlarge': 2.8026, 'g6e.4xlarge': 3.7553, 'g6e.8xlarge': 5.6607, 'g6e.12xlarge': 13.1158, 'g6e.16xlarge': 9.4715, 'g6e.24xlarge': 18.832, 'g6e.48xlarge': 37.664,
    'p3.2xlarge': 3.823, 'p3.8xlarge': 15.292, 'p3.16xlarge': 30.584,
    'p4d.24xlarge': 27.447,
    'p5.48xlarge': 68.8,
  },
  'ap-northeast-1': {
    'g4dn.xlarge': 0.71, 'g4dn.2xlarge': 1.0151, 'g4dn.4xlarge': 1.6252, 'g4dn.8xlarge': 2.9372, 'g4dn.12xlarge': 5.2805, 'g4dn.16xlarge': 5.8744, 'g4dn.metal': 10.5609,
    'g5.xlarge': 1.459, 'g5.2xlarge': 1.7578, 'g5.4xlarge': 2.3553, 'g5.8xlarge': 3.5503, 'g5.12xlarge': 8.2261, 'g5.16xlarge': 5.9404, 'g5.24xlarge': 11.8112, 'g5.48xlarge': 23.6225,
    'g6.xlarge': 1.0865, 'g6.2xlarge': 1.3198, 'g6.4xlarge': 1.7863, 'g6.8xlarge': 2.7194, 'g6.12xlarge': 6.2122, 'g6.16xlarge': 4.5857, 'g6.24xlarge': 9.0115, 'g6.48xlarge': 18.023,
    'g6e.xlarge': 2.5124, 'g6e.2xlarge': 3.0268, 'g6e.4xlarge': 4.0557, 'g6e.8xlarge': 6.1136, 'g6e.12xlarge': 14.1651, 'g6e.16xlarge': 10.2292, 'g6e.24xlarge': 20.3385, 'g6e.48xlarge': 40.6771,
    'p3.2xlarge': 4.194, 'p3.8xlarge': 16.776, 'p3.16xlarge': 33.552,
    'p4d.24xlarge': 28.3253,
    'p5.48xlarge': 71.0016,
  },
};

/**
 * Regions with no row of their own, priced from a neighbour's row and always shown as an estimate
 * that names the neighbour. Only neighbours whose list prices are, to the author's knowledge, at or
 * a little above the region's own for these families (so the estimate errs high, not low).
 */
export const BUNDLED_ESTIMATED_FROM: Readonly<Record<string, string>> = {
  'ap-northeast-3': 'ap-northeast-1',
  'ap-northeast-2': 'ap-northeast-1',
  'eu-west-2': 'eu-central-1',
  'eu-west-3': 'eu-central-1',
  'eu-north-1': 'eu-west-1',
  'eu-south-2': 'eu-central-1',
};

/**
 * Regions the forgotten-instance scan can find (every commercial region, GovCloud and China) that
 * the table gives no price for: no recorded number, and no neighbour known to list at or above
 * them. A box there is shown at an unknown rate, with why, unless the Pricing API answers.
 * GovCloud and China are other partitions (China bills in CNY); the rest list above their nearest
 * bundled region by a margin that varies by family.
 */
export const BUNDLED_UNPRICED_REGIONS: readonly string[] = [
  'us-west-1', 'ca-central-1', 'ca-west-1', 'mx-central-1', 'sa-east-1',
  'eu-central-2', 'eu-south-1', 'il-central-1', 'me-south-1', 'me-central-1', 'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'us-gov-east-1', 'us-gov-west-1', 'cn-north-1', 'cn-northwest-1',
];

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
  'us-east-1': { gp3GbMonth: 0.08, snapshotGbMonth: 0.05, publicIpv4Hour: 0.005 },
  'us-east-2': { gp3GbMonth: 0.08, snapshotGbMonth: 0.05, publicIpv4Hour: 0.005 },
  'us-west-2': { gp3GbMonth: 0.08, snapshotGbMonth: 0.05, publicIpv4Hour: 0.005 },
  'eu-west-1': { gp3GbMonth: 0.088, snapshotGbMonth: 0.05, publicIpv4Hour: 0.005 },
  'eu-central-1': { gp3GbMonth: 0.0952, snapshotGbMonth: 0.054, publicIpv4Hour: 0.005 },
  'ap-northeast-1': { gp3GbMonth: 0.096, snapshotGbMonth: 0.05, publicIpv4Hour: 0.005 },
};
