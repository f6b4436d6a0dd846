/**
 * Runs `run(0)` … `run(count - 1)`, at most `atOnce` at a time, each taking the next index as one
 * ends. The first failure stops the others taking new indexes; what is in flight finishes, then
 * that failure is thrown.
 */
export async function inTurns(count: number, atOnce: number, run: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    try {
      while (!failed && next < count) await run(next++);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  const workers = Math.max(1, Math.min(atOnce, count));
  const results = await Promise.allSettled(Array.from({ length: workers }, worker));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
