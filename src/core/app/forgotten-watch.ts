// The forgotten-instance watch: at start and then at most hourly, the all-region scan (the one
// `rig scan` runs) looks for instances running in the account that CloudRig did not start. Each
// is reported once, as a notification naming its region, type, uptime and rate, with "Show in AWS
// console" and "Don't tell me about this one again". It only reads: the watch has no way to stop or
// terminate anything (its ports are the scan, the prices and its own small store).
import type { ElsewhereView } from '../../shared/forgotten.js';
import type { ScannedInstance } from '../../shared/workstation.js';
import { Emitter } from '../emitter.js';
import { formatDuration, formatHourly } from '../format.js';
import type { Price, PriceCatalog } from '../price-catalog.js';
import type { Clock } from '../ports.js';

/** The background scan's pace: at most once an hour (38 regions, one cheap call each). */
export const FORGOTTEN_SCAN_MS = 60 * 60_000;

/** What the watch remembers between runs of the app (`<home>/state/forgotten.json`). */
export interface ForgottenState {
  /** Instance ids already reported: each is reported once, across restarts. */
  readonly reported: readonly string[];
  /** Instance ids the user asked never to be told about again. */
  readonly dismissed: readonly string[];
}

export const INITIAL_FORGOTTEN_STATE: ForgottenState = { reported: [], dismissed: [] };

/** Reads and writes the watch's state. */
export interface ForgottenStore {
  read(): Promise<ForgottenState>;
  write(state: ForgottenState): Promise<void>;
}

/** A running instance CloudRig did not start, as the popover's "Elsewhere in this account" lists it. */
export interface ForeignInstance {
  readonly instanceId: string;
  readonly region: string;
  readonly instanceType: string;
  readonly launchedAt: string | null;
  /** Time since EC2's LaunchTime; null when it gave none. */
  readonly uptimeMs: number | null;
  /** On-demand USD per hour (the scan does not say spot); null when unknown. */
  readonly hourlyUsd: number | null;
  readonly priceSource: Price['source'] | null;
  readonly consoleUrl: string;
  /** The user said "Don't tell me about this one again"; still listed, never notified. */
  readonly dismissed: boolean;
}

/** The buttons of a forgotten-instance notification. */
export type ForgottenAction = 'show-in-console' | 'dismiss';

/** A notification about one forgotten instance. */
export interface ForgottenNotice {
  /** Stable per instance: use it as the notification id. */
  readonly id: string;
  readonly instanceId: string;
  readonly title: string;
  readonly body: string;
  readonly actions: ReadonlyArray<{ readonly action: ForgottenAction; readonly label: string }>;
  /** What "Show in AWS console" opens (https://<region>.console.aws.amazon.com/…). */
  readonly consoleUrl: string;
}

/** The EC2 console page of one instance. */
export function consoleUrlOf(region: string, instanceId: string): string {
  return `https://${region}.console.aws.amazon.com/ec2/home?region=${encodeURIComponent(region)}#InstanceDetails:instanceId=${encodeURIComponent(instanceId)}`;
}

/** Whether the background scan should run now: on start (never ran) and then at most hourly. */
export function forgottenScanDue(lastScanAt: number | null, now: number): boolean {
  return lastScanAt === null || now - lastScanAt >= FORGOTTEN_SCAN_MS || lastScanAt > now;
}

/** The running (or starting) instances of a scan that carry no CloudRig workstation tag. */
export function foreignOf(scan: readonly ScannedInstance[]): ScannedInstance[] {
  return scan.filter((instance) => instance.workstation === null && (instance.state === 'running' || instance.state === 'pending'));
}

function uptimeWords(instance: ForeignInstance): string {
  return instance.uptimeMs === null ? 'since an unknown time' : `up ${formatDuration(instance.uptimeMs)}`;
}

function rateWords(instance: ForeignInstance): string {
  return instance.hourlyUsd === null ? 'rate unknown' : `${formatHourly(instance.hourlyUsd)}${instance.priceSource === 'bundled' ? ' (bundled price)' : ''}`;
}

/** The popover's "Elsewhere in this account" list from the last scan (null: none yet). */
export function elsewhereView(scan: { readonly at: number; readonly instances: readonly ForeignInstance[] } | null): ElsewhereView {
  const instances = scan?.instances ?? [];
  const priced = instances.filter((i) => i.hourlyUsd !== null);
  const total = priced.reduce((sum, i) => sum + (i.hourlyUsd ?? 0), 0);
  return {
    rows: instances.map((i) => ({
      instanceId: i.instanceId,
      title: `${i.instanceType} in ${i.region}`,
      detail: `${uptimeWords(i)} · ${rateWords(i)}`,
      consoleUrl: i.consoleUrl,
      dismissed: i.dismissed,
    })),
    summary: instances.length === 0 ? null
      : `${instances.length} running${priced.length ? ` · ${formatHourly(total)}${priced.length < instances.length ? '+' : ''} in total` : ''}`,
    scannedAt: scan?.at ?? null,
  };
}

/** The notification for one forgotten instance. */
export function forgottenNotice(instance: ForeignInstance): ForgottenNotice {
  const uptime = uptimeWords(instance);
  const rate = rateWords(instance);
  return {
    id: `forgotten:${instance.instanceId}`,
    instanceId: instance.instanceId,
    title: 'An instance CloudRig did not start is running',
    body: `${instance.instanceType} in ${instance.region} (${instance.instanceId}), ${uptime}, ${rate}. CloudRig leaves it alone.`,
    actions: [
      { action: 'show-in-console', label: 'Show in AWS console' },
      { action: 'dismiss', label: "Don't tell me about this one again" },
    ],
    consoleUrl: instance.consoleUrl,
  };
}

/**
 * What one scan means: every foreign instance (for the popover), the notices to show now (each
 * instance once, never a dismissed one) and the state to save. Reported ids of instances no longer
 * running are forgotten, so the list does not grow forever; dismissals are kept.
 */
export function evaluateForgotten(state: ForgottenState, foreign: readonly ForeignInstance[]): { notices: ForgottenNotice[]; state: ForgottenState } {
  const dismissed = new Set(state.dismissed);
  const reported = new Set(state.reported);
  const notices = foreign.filter((i) => !dismissed.has(i.instanceId) && !reported.has(i.instanceId)).map(forgottenNotice);
  const running = new Set(foreign.map((i) => i.instanceId));
  return {
    notices,
    state: {
      reported: [...new Set([...state.reported.filter((id) => running.has(id)), ...notices.map((n) => n.instanceId)])],
      dismissed: state.dismissed,
    },
  };
}

/** What the watch needs. */
export interface ForgottenWatchDeps {
  /** The all-region scan (Cloud.scan): pending, running, stopping and stopped instances, tagged or not. */
  readonly scan: () => Promise<ScannedInstance[]>;
  readonly prices: Pick<PriceCatalog, 'onDemandHourly'>;
  readonly store: ForgottenStore;
  readonly clock: Clock;
}

/** One scan's outcome. */
export interface ForgottenScan {
  readonly at: number;
  /** Every foreign running instance, dismissed ones flagged. */
  readonly instances: readonly ForeignInstance[];
  /** Notices to show now (new, not dismissed). */
  readonly notices: readonly ForgottenNotice[];
}

/** Runs the scan on start and hourly, reports each forgotten instance once, remembers dismissals. */
export class ForgottenWatch {
  private readonly scanned = new Emitter<ForgottenScan>();
  private stopped = new AbortController();
  private loop: Promise<void> | null = null;
  private lastScanAt: number | null = null;
  /** One scan or dismissal at a time, so the state file is never written from two stale reads. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Fires after each scan: the popover's list and the notices to show. */
  readonly onDidScan = this.scanned.event;

  constructor(private readonly deps: ForgottenWatchDeps) {}

  /** Scans now if due (or `force`); returns null when not due. A failing scan rejects (the next one is an hour away). */
  scanNow(options: { force?: boolean } = {}): Promise<ForgottenScan | null> {
    return this.serially(async () => {
      const now = this.deps.clock.now();
      if (!options.force && !forgottenScanDue(this.lastScanAt, now)) return null;
      this.lastScanAt = now;
      const foreign = foreignOf(await this.deps.scan());
      const state = await this.deps.store.read();
      const dismissed = new Set(state.dismissed);
      const instances = await Promise.all(foreign.map(async (scanned): Promise<ForeignInstance> => {
        const price = await this.deps.prices.onDemandHourly(scanned.region, scanned.instanceType).catch(() => null);
        const launched = scanned.launchedAt === null ? Number.NaN : Date.parse(scanned.launchedAt);
        return {
          instanceId: scanned.instanceId,
          region: scanned.region,
          instanceType: scanned.instanceType,
          launchedAt: scanned.launchedAt,
          uptimeMs: Number.isNaN(launched) ? null : Math.max(0, now - launched),
          hourlyUsd: price?.usd ?? null,
          priceSource: price?.source ?? null,
          consoleUrl: consoleUrlOf(scanned.region, scanned.instanceId),
          dismissed: dismissed.has(scanned.instanceId),
        };
      }));
      const decision = evaluateForgotten(state, instances);
      await this.deps.store.write(decision.state);
      const result = { at: now, instances, notices: decision.notices };
      this.scanned.fire(result);
      return result;
    });
  }

  /** "Don't tell me about this one again": saved for good. */
  dismiss(instanceId: string): Promise<void> {
    return this.serially(async () => {
      const state = await this.deps.store.read();
      if (state.dismissed.includes(instanceId)) return;
      await this.deps.store.write({ ...state, dismissed: [...state.dismissed, instanceId] });
    });
  }

  /** Scans at once, then every FORGOTTEN_SCAN_MS until disposed. */
  start(): void {
    if (this.loop) return;
    this.stopped = new AbortController();
    this.loop = this.run();
  }

  async dispose(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      // Offline or denied: nothing to report this time; the next turn tries again.
      await this.scanNow().catch(() => null);
      if (this.stopped.signal.aborted) break;
      await this.deps.clock.sleep(FORGOTTEN_SCAN_MS, this.stopped.signal);
    }
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
