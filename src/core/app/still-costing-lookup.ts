// What the shown workstation keeps in AWS while it is stopped (the popover's "still costing you"
// list: the disk, a saved image, an address), looked up when it comes to rest or the popover opens.
import type { Snapshot } from '../../shared/workstation.js';
import type { StillCosting } from '../still-costing.js';
import { keptResourcesDue } from '../cost-watch.js';
import { toErrorInfo } from '../errors.js';
import { showsStillCosting } from '../popover-model.js';
import type { CloudRigCore } from './cloudrig-core.js';
import { CostUseCases } from './cost.js';

/** What the lookup reads from, and reports to, the monitor that owns it. */
export interface StillCostingHost {
  core(): CloudRigCore;
  /** The workstation shown, and its latest snapshot. */
  watched(): string | null;
  snapshot(): Snapshot | null;
  changed(): void;
  log(line: string): void;
}

export class StillCostingLookup {
  /** What the shown workstation keeps in AWS, from the last look (when it came to rest). */
  private found: { name: string; value: StillCosting | null } | null = null;
  private lookups = 0;
  private lookup: Promise<void> | null = null;

  constructor(private readonly host: StillCostingHost) {}

  /** Another workstation is shown, or the core was rebuilt. */
  forget(): void {
    this.found = null;
  }

  /** The lookup under way, if any. */
  underWay(): Promise<void> | null {
    return this.lookup;
  }

  /** What `name` keeps in AWS, when that is what was last looked up. */
  of(name: string | null): StillCosting | null {
    return this.found !== null && this.found.name === name ? this.found.value : null;
  }

  /** A new snapshot of the shown workstation: forgets the list once it no longer applies, looks again once it comes to rest. */
  noteSnapshot(snapshot: Snapshot, previousPhase: Snapshot['phase'] | null): void {
    if (!showsStillCosting(snapshot)) this.found = null;
    if (keptResourcesDue(previousPhase, snapshot.phase)) this.lookUp();
  }

  /** Looks up what the workstation keeps in AWS (the "still costing you" list). */
  lookUp(): void {
    const core = this.host.core();
    const name = this.host.watched();
    const snapshot = this.host.snapshot();
    if (name === null || snapshot === null || !showsStillCosting(snapshot)) return;
    const lookup = ++this.lookups;
    let found;
    try {
      found = new CostUseCases(core).stillCosting(name, snapshot.instance);
    } catch {
      return;
    }
    this.lookup = found.then(
      (value) => {
        if (lookup !== this.lookups || core !== this.host.core() || name !== this.host.watched()) return;
        this.found = { name, value };
        this.host.changed();
      },
      (error: unknown) => this.host.log(`could not list what ${name} keeps in AWS: ${toErrorInfo(error).message}`),
    );
  }
}
