import type { ErrorInfo } from '../../shared/workstation.js';
import { toErrorInfo } from '../errors.js';

/** The long operations the app runs in the background. */
export type OperationKind = 'up' | 'stop' | 'down';

interface Operation {
  readonly kind: OperationKind;
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/** What the runner tells its owner. */
export interface OperationEvents {
  /** An operation begins: the last one's error no longer applies. */
  onDidStart(kind: OperationKind): void;
  /** It failed (not because a newer one aborted it). */
  onDidFail(kind: OperationKind, error: ErrorInfo): void;
  /** It ended, either way: time to look again. */
  onDidEnd(kind: OperationKind): void;
}

/**
 * One lifecycle operation at a time, in the background; its progress arrives as snapshots. A new
 * operation aborts the waiting of the one before (Stop during a Start's wait for ssh) and begins
 * once that one has let go.
 */
export class OperationRunner {
  private operation: Operation | null = null;

  constructor(private readonly events: OperationEvents) {}

  /** The operation under way, if any. */
  get kind(): OperationKind | null {
    return this.operation?.kind ?? null;
  }

  run(kind: OperationKind, work: (signal: AbortSignal) => Promise<unknown>): void {
    const previous = this.operation;
    previous?.abort.abort();
    const abort = new AbortController();
    this.events.onDidStart(kind);
    const done = (async () => {
      await previous?.done;
      try {
        await work(abort.signal);
      } catch (error) {
        if (!abort.signal.aborted) this.events.onDidFail(kind, toErrorInfo(error));
      } finally {
        if (this.operation?.abort === abort) this.operation = null;
        this.events.onDidEnd(kind);
      }
    })();
    this.operation = { kind, abort, done };
  }

  /** Aborts the operation under way and waits until it has let go. */
  async cancel(): Promise<void> {
    this.operation?.abort.abort();
    await this.operation?.done;
  }

  /** Waits until no operation is under way. */
  async settled(): Promise<void> {
    while (this.operation) await this.operation.done;
  }
}

/** What the per-workstation runners tell their owner; each event names the workstation. */
export interface WorkstationOperationEvents {
  onDidStart(name: string, kind: OperationKind): void;
  onDidFail(name: string, kind: OperationKind, error: ErrorInfo): void;
  onDidEnd(name: string, kind: OperationKind): void;
}

/**
 * One OperationRunner per workstation: an operation on one workstation never aborts another's
 * (starting B while A waits for ssh leaves A waiting), while a Stop of A still aborts A's own Start.
 */
export class WorkstationOperations {
  private readonly runners = new Map<string, OperationRunner>();

  constructor(private readonly events: WorkstationOperationEvents) {}

  /** The operation under way on this workstation, if any. */
  kindOf(name: string): OperationKind | null {
    return this.runners.get(name)?.kind ?? null;
  }

  /** An operation under way on any workstation (the first found), or null when none runs. */
  underWay(): { readonly workstation: string; readonly kind: OperationKind } | null {
    for (const [workstation, runner] of this.runners) if (runner.kind !== null) return { workstation, kind: runner.kind };
    return null;
  }

  /** Runs `work` on this workstation's runner: it aborts only that workstation's operation under way. */
  run(name: string, kind: OperationKind, work: (signal: AbortSignal) => Promise<unknown>): void {
    let runner = this.runners.get(name);
    if (!runner) {
      runner = new OperationRunner({
        onDidStart: (started) => this.events.onDidStart(name, started),
        onDidFail: (failed, error) => this.events.onDidFail(name, failed, error),
        onDidEnd: (ended) => this.events.onDidEnd(name, ended),
      });
      this.runners.set(name, runner);
    }
    runner.run(kind, work);
  }

  /** Aborts every workstation's operation and waits until all have let go (the core is rebuilt, or the app quits). */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.cancel()));
  }

  /** Waits until no workstation has an operation under way. */
  async settled(): Promise<void> {
    const busy = (): OperationRunner[] => [...this.runners.values()].filter((runner) => runner.kind !== null);
    for (let runners = busy(); runners.length > 0; runners = busy()) await Promise.all(runners.map((runner) => runner.settled()));
  }
}
