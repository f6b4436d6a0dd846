/**
 * Waits until `condition` holds, looking again every `stepMs`; past `timeoutMs` it fails naming
 * `what` it waited for. The way tests wait for a condition instead of sleeping a fixed time.
 */
export async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
