// The app's lifecycle operations, one at a time per workstation, and the error each workstation's
// last failed operation left: what the popover and the tray show next to its snapshot.
import type { ErrorInfo, Snapshot } from '../../shared/workstation.js';
import { toErrorInfo } from '../errors.js';
import { WorkstationOperations, type OperationKind } from './operation-runner.js';

/** What the operations tell the session that owns them. */
export interface AppOperationsHost {
  /** Applies a change to what is shown, then notifies and emits as the change calls for. */
  update(change: () => void): void;
  /** An operation ended: time to look again. */
  ended(): void;
  log(line: string): void;
}

/** Errors the user caused by changing their mind (a Stop aborting a Start's wait) are not news. */
function shownError(error: ErrorInfo | null): ErrorInfo | null {
  return error && error.code !== 'Aborted' ? error : null;
}

/**
 * Runs Start, Stop and Terminate in the background, one at a time per workstation (starting B
 * never aborts A's wait for ssh), and keeps each workstation's last operation error until its
 * next operation begins or its phase moves on by itself.
 */
export class AppOperations {
  private readonly errors = new Map<string, ErrorInfo>();
  private readonly operations: WorkstationOperations;

  constructor(private readonly host: AppOperationsHost) {
    this.operations = new WorkstationOperations({
      onDidStart: (name) => host.update(() => {
        this.errors.delete(name);
      }),
      onDidFail: (name, kind, error) => {
        host.log(`${kind} ${name} failed: ${error.code}`);
        host.update(() => {
          this.errors.set(name, error);
        });
      },
      onDidEnd: () => host.ended(),
    });
  }

  run(name: string, kind: OperationKind, work: (signal: AbortSignal) => Promise<unknown>): void {
    this.operations.run(name, kind, work);
  }

  /** The operation under way on this workstation, if any. */
  kindOf(name: string): OperationKind | null {
    return this.operations.kindOf(name);
  }

  /** An operation under way on any workstation, or null when none runs. */
  underWay(): { readonly workstation: string; readonly kind: OperationKind } | null {
    return this.operations.underWay();
  }

  /** A snapshot as shown: with its workstation's last failed operation's error when the snapshot has none. */
  asShown(snapshot: Snapshot | null): Snapshot | null {
    if (!snapshot) return null;
    const error = shownError(snapshot.error) ?? this.errors.get(snapshot.name) ?? null;
    return error === snapshot.error ? snapshot : { ...snapshot, error };
  }

  /** Shows a failure as this workstation's operation error (a tray or notification action failed). */
  report(error: unknown, name: string | null): void {
    const info = toErrorInfo(error);
    if (name === null) {
      this.host.log(`failed: ${info.code}`);
      return;
    }
    this.host.update(() => {
      this.errors.set(name, info);
    });
  }

  /** The phase moved from `before` to `after`: with no operation under way, the last one's error no longer applies. */
  notePhase(name: string, before: Snapshot['phase'] | null, after: Snapshot['phase']): void {
    if (before !== null && before !== after && this.kindOf(name) === null) this.errors.delete(name);
  }

  /** Aborts every workstation's operation and forgets their errors (the core is rebuilt). */
  async reset(): Promise<void> {
    await this.operations.cancelAll();
    this.errors.clear();
  }

  /** Aborts every workstation's operation and waits until all have let go. */
  cancelAll(): Promise<void> {
    return this.operations.cancelAll();
  }

  /** Waits until no workstation has an operation under way. */
  settled(): Promise<void> {
    return this.operations.settled();
  }
}
