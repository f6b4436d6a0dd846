import { describe, expect, it } from 'vitest';
import { CloudRigError } from '../../src/core/errors.js';
import { OperationRunner, type OperationKind } from '../../src/core/app/operation-runner.js';
import type { ErrorInfo } from '../../src/shared/workstation.js';

/** A runner that records what it tells its owner. */
function recordingRunner() {
  const events: string[] = [];
  const failures: { kind: OperationKind; error: ErrorInfo }[] = [];
  const runner = new OperationRunner({
    onDidStart: (kind) => events.push(`start ${kind}`),
    onDidFail: (kind, error) => {
      events.push(`fail ${kind}`);
      failures.push({ kind, error });
    },
    onDidEnd: (kind) => events.push(`end ${kind}`),
  });
  return { runner, events, failures };
}

/** Work that waits until its signal aborts, then rejects the way an aborted wait does; `started` resolves once it runs. */
function waitUntilAborted(seen: AbortSignal[]) {
  let began: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    began = resolve;
  });
  const work = (signal: AbortSignal) => new Promise<void>((_resolve, reject) => {
    seen.push(signal);
    began();
    const aborted = () => reject(new CloudRigError('Aborted', 'aborted', 'none'));
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
  });
  return { work, started };
}

describe('OperationRunner: one lifecycle operation at a time', () => {
  it('a Stop during a Start aborts the Start, begins only after it let go, and the aborted Start is not reported as failed', async () => {
    const { runner, events, failures } = recordingRunner();
    const signals: AbortSignal[] = [];
    let stopBeganAfterStartEnded = false;
    const start = waitUntilAborted(signals);
    runner.run('up', start.work);
    expect(runner.kind).toBe('up');
    await start.started;
    runner.run('stop', async () => {
      stopBeganAfterStartEnded = events.includes('end up');
    });
    expect(signals[0]?.aborted).toBe(true);
    expect(runner.kind).toBe('stop');
    await runner.settled();
    expect(stopBeganAfterStartEnded).toBe(true);
    expect(failures).toEqual([]);
    expect(events).toEqual(['start up', 'start stop', 'end up', 'end stop']);
    expect(runner.kind).toBeNull();
  });

  it('reports a failure that no newer operation caused, with its error as data', async () => {
    const { runner, failures } = recordingRunner();
    runner.run('down', async () => {
      throw new CloudRigError('ImageFailed', 'The image ended failed.', 'Try again.');
    });
    await runner.settled();
    expect(failures).toEqual([{ kind: 'down', error: expect.objectContaining({ code: 'ImageFailed', message: 'The image ended failed.' }) }]);
  });

  it('cancel aborts the operation under way and resolves once it has let go', async () => {
    const { runner, events } = recordingRunner();
    const signals: AbortSignal[] = [];
    const start = waitUntilAborted(signals);
    runner.run('up', start.work);
    await start.started;
    await runner.cancel();
    expect(signals[0]?.aborted).toBe(true);
    expect(events).toEqual(['start up', 'end up']);
    expect(runner.kind).toBeNull();
  });
});
