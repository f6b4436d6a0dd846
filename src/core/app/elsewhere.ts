// The app's side of the forgotten-instance watch: runs it, turns each new notice into a
// notification ("Show in AWS console", "Don't tell me about this one again") and keeps the last
// scan for the popover's "Elsewhere in this account" list. It only reads AWS.
import type { ElsewhereView, IdleView } from '../../shared/forgotten.js';
import { idleView } from '../account-inventory.js';
import { scanEverything } from './account-sweep.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { elsewhereView, ForgottenWatch, type ForgottenAction, type ForgottenScan } from './forgotten-watch.js';
import type { Notifier } from './shell-ports.js';

/**
 * Regions the background account sweep asks at a time: it runs while the app waits, so it trades
 * a few seconds for the watcher's memory (account-sweep.ts, scanEverything).
 */
export const SWEEP_REGIONS_AT_ONCE = 2;

/** What the elsewhere watch reports to the session that owns it. */
export interface ElsewhereHost {
  readonly notifier: Notifier;
  /** Opens an allowlisted https URL in the browser (the console page of an instance). */
  readonly openExternal?: (url: string) => Promise<void>;
  changed(): void;
  log(line: string): void;
  /** The account sweep after an instance scan is over, answered or not (not once disposed). */
  swept?(): void;
}

/** Runs the forgotten-instance watch for the app and remembers its last scan. */
export class ElsewhereWatch {
  private readonly watch: ForgottenWatch;
  private last: ForgottenScan | null = null;
  /** The account scan that follows each instance scan (the same hourly pace), and its last answer. */
  private idle: IdleView | null = null;
  private idleScan: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly core: CloudRigCore, private readonly host: ElsewhereHost) {
    this.watch = new ForgottenWatch({ scan: () => core.cloud.scan(), prices: core.prices, store: core.forgotten, clock: core.clock });
    this.unsubscribe = this.watch.onDidScan((scan) => this.onScan(scan));
  }

  start(): void {
    this.watch.start();
  }

  async dispose(): Promise<void> {
    // An account scan under way ends on its own (it only reads); nothing is reported after this.
    this.disposed = true;
    this.unsubscribe();
    await this.watch.dispose();
  }

  /** Scans now even if the hour is not up (tests; a later "Scan again" button). */
  async scanNow(): Promise<ForgottenScan | null> {
    const scan = await this.watch.scanNow({ force: true });
    await this.idleScan;
    return scan;
  }

  /** Resolves once the scan under way (the one at start) is done, the account scan after it included. */
  async settled(): Promise<void> {
    await this.watch.scanNow().catch(() => null);
    await this.idleScan;
  }

  /** The popover's list; null before the first scan. */
  view(): ElsewhereView | null {
    return this.last === null ? null : { ...elsewhereView(this.last), idle: this.idle };
  }

  /** "Don't tell me about this one again": saved, and the row shows it. */
  async dismiss(instanceId: string): Promise<void> {
    await this.watch.dismiss(instanceId);
    if (this.last) {
      this.last = { ...this.last, instances: this.last.instances.map((i) => (i.instanceId === instanceId ? { ...i, dismissed: true } : i)) };
    }
    this.host.changed();
  }

  /** "Show in AWS console" for an instance of the last scan. */
  async openInConsole(instanceId: string): Promise<void> {
    const instance = this.last?.instances.find((i) => i.instanceId === instanceId);
    if (!instance) throw new CloudRigError('InvalidInput', `${instanceId} is not in the last scan.`, { action: 'refresh-scan' });
    await this.host.openExternal?.(instance.consoleUrl);
  }

  /** The sweep asked every region through a client of its own: those close, and the session hears it is over. */
  private afterSweep(): void {
    this.core.cloud.forgetIdleClients();
    this.host.swept?.();
  }

  private onScan(scan: ForgottenScan): void {
    this.last = scan;
    // Volumes, snapshots, images and Elastic IPs, at the instance scan's hourly pace; it only reads.
    this.idleScan = this.idleScan.then(() => scanEverything(this.core, { regionsAtOnce: SWEEP_REGIONS_AT_ONCE })).then((account) => {
      if (this.disposed) return;
      this.idle = idleView(account);
      this.host.changed();
      this.afterSweep();
    }, (error: unknown) => {
      if (this.disposed) return;
      this.host.log(`account scan: ${toErrorInfo(error).message}`);
      this.afterSweep();
    });
    for (const notice of scan.notices) {
      const act = (action: ForgottenAction): void => {
        const done = action === 'dismiss' ? this.dismiss(notice.instanceId) : this.openInConsole(notice.instanceId);
        done.catch((error: unknown) => this.host.log(`forgotten instance ${notice.instanceId}: ${toErrorInfo(error).message}`));
      };
      this.host.notifier.showForgotten?.(notice, act);
    }
    this.host.changed();
  }
}
