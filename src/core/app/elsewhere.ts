// The app's side of the forgotten-instance watch: runs it, turns each new notice into a
// notification ("Show in AWS console", "Don't tell me about this one again") and keeps the last
// scan for the popover's "Elsewhere in this account" list. It only reads AWS.
import type { ElsewhereView } from '../../shared/forgotten.js';
import { CloudRigError, toErrorInfo } from '../errors.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { elsewhereView, ForgottenWatch, type ForgottenAction, type ForgottenScan } from './forgotten-watch.js';
import type { Notifier } from './shell-ports.js';

/** What the elsewhere watch reports to the session that owns it. */
export interface ElsewhereHost {
  readonly notifier: Notifier;
  /** Opens an allowlisted https URL in the browser (the console page of an instance). */
  readonly openExternal?: (url: string) => Promise<void>;
  changed(): void;
  log(line: string): void;
}

/** Runs the forgotten-instance watch for the app and remembers its last scan. */
export class ElsewhereWatch {
  private readonly watch: ForgottenWatch;
  private last: ForgottenScan | null = null;
  private readonly unsubscribe: () => void;

  constructor(core: CloudRigCore, private readonly host: ElsewhereHost) {
    this.watch = new ForgottenWatch({ scan: () => core.cloud.scan(), prices: core.prices, store: core.forgotten, clock: core.clock });
    this.unsubscribe = this.watch.onDidScan((scan) => this.onScan(scan));
  }

  start(): void {
    this.watch.start();
  }

  async dispose(): Promise<void> {
    this.unsubscribe();
    await this.watch.dispose();
  }

  /** Scans now even if the hour is not up (tests; a later "Scan again" button). */
  scanNow(): Promise<ForgottenScan | null> {
    return this.watch.scanNow({ force: true });
  }

  /** Resolves once the scan under way (the one at start) is done. */
  async settled(): Promise<void> {
    await this.watch.scanNow().catch(() => null);
  }

  /** The popover's list; null before the first scan. */
  view(): ElsewhereView | null {
    return this.last === null ? null : elsewhereView(this.last);
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
    if (!instance) throw new CloudRigError('InvalidInput', `${instanceId} is not in the last scan.`, 'Open the popover again to see the current list.');
    await this.host.openExternal?.(instance.consoleUrl);
  }

  private onScan(scan: ForgottenScan): void {
    this.last = scan;
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
