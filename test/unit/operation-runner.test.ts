import { describe, expect, it } from 'vitest';
import { CloudRigError } from '../../src/core/errors.js';
import { OperationRunner, WorkstationOperations, type OperationKind } from '../../src/core/app/operation-runner.js';
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
    const aborted = () => reject(new CloudRigError('Aborted', 'aborted', { action: 'retry', reason: 'aborted' }));
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
      throw new CloudRigError('ImageFailed', 'The image ended failed.', { action: 'retry-image', name: 'gpu' });
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

/** Per-workstation runners that record what they tell their owner, each event with its workstation. */
function recordingOperations() {
  const events: string[] = [];
  const operations = new WorkstationOperations({
    onDidStart: (name, kind) => events.push(`start ${kind} ${name}`),
    onDidFail: (name, kind, error) => events.push(`fail ${kind} ${name}: ${error.code}`),
    onDidEnd: (name, kind) => events.push(`end ${kind} ${name}`),
  });
  return { operations, events };
}

/** Work that resolves when the test says so. */
function heldWork() {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { work: async () => released, release };
}

describe('WorkstationOperations: one lifecycle operation at a time per workstation', () => {
  it('starting B while A waits leaves A waiting; both end, and neither is reported as failed', async () => {
    const { operations, events } = recordingOperations();
    const signals: AbortSignal[] = [];
    const a = waitUntilAborted(signals);
    operations.run('a', 'up', a.work);
    await a.started;
    const b = heldWork();
    operations.run('b', 'up', b.work);
    expect(signals[0]?.aborted).toBe(false);
    expect([operations.kindOf('a'), operations.kindOf('b')]).toEqual(['up', 'up']);
    b.release();
    await expect.poll(() => operations.kindOf('b')).toBeNull();
    expect(operations.kindOf('a')).toBe('up');
    expect(events).toEqual(['start up a', 'start up b', 'end up b']);
  });

  it("a Stop of A still aborts A's own Start, and not B's", async () => {
    const { operations, events } = recordingOperations();
    const signals: AbortSignal[] = [];
    const a = waitUntilAborted(signals);
    const b = waitUntilAborted(signals);
    operations.run('a', 'up', a.work);
    operations.run('b', 'up', b.work);
    await Promise.all([a.started, b.started]);
    operations.run('a', 'stop', async () => undefined);
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]);
    await expect.poll(() => operations.kindOf('a')).toBeNull();
    expect(operations.kindOf('b')).toBe('up');
    expect(events.filter((event) => event.startsWith('fail'))).toEqual([]);
    await operations.cancelAll();
  });

  it('reports a failure under the workstation it happened to', async () => {
    const { operations, events } = recordingOperations();
    operations.run('b', 'down', async () => {
      throw new CloudRigError('ImageFailed', 'The image ended failed.', { action: 'retry-image', name: 'gpu' });
    });
    operations.run('a', 'up', async () => undefined);
    await operations.settled();
    expect(events).toContain('fail down b: ImageFailed');
    expect(events.filter((event) => event.includes(' a'))).toEqual(['start up a', 'end up a']);
  });

  it('settled waits for every workstation, and cancelAll aborts them all', async () => {
    const { operations } = recordingOperations();
    const a = heldWork();
    const b = heldWork();
    operations.run('a', 'up', a.work);
    operations.run('b', 'up', b.work);
    let settled = false;
    const waiting = operations.settled().then(() => {
      settled = true;
    });
    a.release();
    await expect.poll(() => operations.kindOf('a')).toBeNull();
    expect(settled).toBe(false);
    b.release();
    await waiting;
    expect(settled).toBe(true);

    const signals: AbortSignal[] = [];
    const c = waitUntilAborted(signals);
    const d = waitUntilAborted(signals);
    operations.run('a', 'up', c.work);
    operations.run('b', 'stop', d.work);
    await Promise.all([c.started, d.started]);
    await operations.cancelAll();
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
    expect([operations.kindOf('a'), operations.kindOf('b')]).toEqual([null, null]);
  });
});
