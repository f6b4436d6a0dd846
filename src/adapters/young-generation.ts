import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size for the rest of the process. V8 doubles it
 * whenever many young objects survive a scavenge, as they do while the app starts (the first poll,
 * the scan of every region, prices, the ssh proof, the first GPU reading all at once), and keeps
 * it doubled: about 25 MB of a long-lived process's resident memory, of the ~8 MB the app uses of
 * it once idle. The tray app watches for hours while doing almost nothing, so it turns the growth
 * off; young objects that outgrow it are promoted a little earlier instead. Set at run time, before
 * the start-up burst: the flag is read each time V8 considers growing.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Has V8 favour memory over speed for the rest of the process: no optimizing compilers (TurboFan
 * and Maglev) nor the baseline compiler (the interpreter only), and `--optimize-for-size` (a heap
 * kept closer to what is live, smaller inline caches). The tray app's main process spends its hours
 * waiting and wakes for a poll, a keep-alive or a click; nothing in it is hot enough to repay
 * optimizing, and optimizing is what pages in the compilers' code and fills their threads' malloc
 * arenas. Together about 20 MB of a watcher's resident memory (docs/benchmarks.md). The price is
 * slower CPU-heavy JavaScript in the main process (a long scan's or a large transfer's
 * bookkeeping), not its I/O. Set at run time, before anything else loads (memory-first.ts): V8
 * reads these flags each time it considers optimizing a function or sizing the heap.
 */
export function favourMemoryOverSpeed(): void {
  setFlagsFromString('--no-opt');
  setFlagsFromString('--no-maglev');
  setFlagsFromString('--optimize-for-size');
  // And no baseline compiler either: Sparkplug's machine code is several times the size of the
  // bytecode it comes from, and after each release of cold code (cold-code.ts) the poll's, the GPU
  // reading's and the tick's paths would be compiled to it again. About 1 MB of the watcher;
  // its minute's work then runs in the interpreter (CPU in the footprint window 0.26-0.28%).
  setFlagsFromString('--no-sparkplug');
}
