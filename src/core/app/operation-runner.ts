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
