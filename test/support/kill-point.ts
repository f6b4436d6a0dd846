/** A `rig` (or app core) child process a kill test waits on: whether it ended, and what it printed. */
export interface WatchedChild {
  readonly exitCode: number | null;
  output(): string;
}

/**
 * Waits until `condition` holds (the kill point: a request applied, a line printed), looking every
 * 25 ms; fails at once when the child ended first, and names `what` with the child's output when the
 * point is never reached.
 */
export async function untilKillPoint(what: string, condition: () => boolean | Promise<boolean>, child: WatchedChild): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (await condition()) return;
    if (child.exitCode !== null) throw new Error(`rig ended before ${what}:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`never reached ${what}:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
