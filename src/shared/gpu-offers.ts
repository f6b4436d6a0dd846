import type { ErrorInfo } from './errors.js';

/** A GPU model as the user names it: T4, A10G, L4, NVIDIA L40S (letters, digits, spaces, dashes). */
export const GPU_MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 -]{0,30}$/;

/** What the labels mean, said under any list that shows a bundled price. */
export const PRICE_SOURCE_NOTE = 'bundled: from the price table shipped with CloudRig (the Pricing API did not answer); live: from AWS now.';

/** Where a price came from: fetched from AWS now, or the table shipped with CloudRig. */
export type PriceSourceLabel = 'live' | 'bundled';

/** What an instance type has, as the type lists show it (DescribeInstanceTypes). */
export interface GpuHardware {
  readonly instanceType: string;
  readonly gpuModel: string | null;
  readonly gpuCount: number;
  readonly gpuMemoryGiB: number | null;
  readonly vcpus: number;
  readonly memoryGiB: number;
}

/**
 * One GPU instance type in one region, as both faces show it: `rig gpus --json` prints these rows
 * and the app's instance-type picker lists them. Every number carries its source.
 */
export interface GpuOfferRow extends GpuHardware {
  readonly region: string;
  readonly onDemandUsd: number | null;
  readonly onDemandSource: PriceSourceLabel | null;
  /** The current spot price (the highest zone's, an estimate that errs high); null when EC2 has none. */
  readonly spotUsd: number | null;
  readonly spotSource: PriceSourceLabel | null;
  /** The lower of the two prices, or null. */
  readonly cheapestUsd: number | null;
  readonly quotaCode: string | null;
  /** The account's on-demand vCPU quota for the type's family in the region; null when it could not be read. */
  readonly quotaVcpus: number | null;
  /** Whether the quota covers one of these now; null when the quota is unknown. */
  readonly canLaunch: boolean | null;
}

/** One GPU model the picker offers, with how many types have it and the lowest on-demand price among them. */
export interface GpuModelChoice {
  readonly gpuModel: string;
  readonly types: number;
  readonly fromUsd: number | null;
}

/** Something that could not be read live: the list still shows, with bundled prices or an unknown quota. */
export interface GpuOfferProblem {
  readonly about: 'prices' | 'quota';
  readonly error: ErrorInfo;
}

/** Which offers the picker asks for: the form's region, or every enabled region for one GPU model. */
export type GpuOffersQuery =
  | { readonly scope: 'region'; readonly region: string; readonly gpu: string | null }
  | { readonly scope: 'all-regions'; readonly gpu: string | null };

/** What the picker shows: the offers sorted by price, the GPU models among them, the cheapest region of each. */
export interface GpuOffersView {
  readonly scope: GpuOffersQuery['scope'];
  readonly regions: readonly string[];
  readonly gpu: string | null;
  /** Cheapest on-demand first (unpriced last), then spot, region and type: the order `rig gpus` prints. */
  readonly rows: readonly GpuOfferRow[];
  /** The GPU models among the rows, cheapest first. */
  readonly models: readonly GpuModelChoice[];
  /** The best on-demand offer of each region, cheapest regions first (a few). */
  readonly cheapestRegions: readonly GpuOfferRow[];
  /** Regions that could not be asked (not enabled, denied, unreachable). */
  readonly skipped: readonly { readonly region: string; readonly message: string }[];
  readonly problems: readonly GpuOfferProblem[];
}
