import type { GpuOfferRow, GpuOfferProblem, PriceSourceLabel } from './gpu-offers.js';
import type { InstanceStateName } from './workstation.js';

/** An hourly rate as the Change type dialog shows it, with its market and where the price came from. */
export interface RateView {
  readonly usdPerHour: number;
  readonly market: 'on-demand' | 'spot';
  readonly source: PriceSourceLabel;
  /** The neighbouring region a bundled price was taken from, when the region has no row of its own. */
  readonly estimatedFrom?: string;
}

/** Why the dialog lists rows: the user asked (Change type…), or a start found no capacity for the type. */
export type ResizePurpose = 'change' | 'capacity';

/**
 * What the Change type dialog offers for the workstation shown: the GPU picker's rows of its
 * region (for capacity, only the same GPU or better that the disk's zone offers), and what stands
 * in the way (a running instance must stop first; a spot instance's type cannot change).
 */
export interface ResizeChoicesView {
  readonly name: string;
  readonly region: string;
  readonly purpose: ResizePurpose;
  /** The type it has now (its instance's, else its spec's). */
  readonly from: string;
  readonly instanceId: string | null;
  readonly state: InstanceStateName | null;
  /** The zone the disk is in (rows for capacity are the types it offers); null without an instance. */
  readonly zone: string | null;
  /** The instance runs: the dialog offers to stop it first. */
  readonly needsStop: boolean;
  readonly spot: boolean;
  /** The rows, cheapest first, in the picker's order. */
  readonly rows: readonly GpuOfferRow[];
  /** Prices or the quota that could not be read live. */
  readonly problems: readonly GpuOfferProblem[];
}

/** A change of type checked and priced, before anything changed (the same checks as `rig resize`). */
export interface ResizePlanView {
  readonly name: string;
  readonly instanceId: string | null;
  readonly state: InstanceStateName | null;
  readonly from: string;
  readonly to: string;
  readonly priceBefore: RateView | null;
  readonly priceAfter: RateView | null;
  /** One line per check, saying what was looked at. */
  readonly checked: readonly string[];
  readonly needsStop: boolean;
  readonly unchanged: boolean;
}

/** What a Change type did: the plan carried out, or under way in the background when a stop comes first. */
export interface ResizeOutcomeView {
  readonly plan: ResizePlanView;
  /** changed: the type is the new one now; stopping: it stops first (progress comes as views); unchanged: it already was. */
  readonly status: 'changed' | 'stopping' | 'unchanged';
  /** A start followed (the capacity error's one-click action). */
  readonly started: boolean;
}
