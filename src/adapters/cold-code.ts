import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let collect: Collect | null = null;

/**
 * Gives back what a burst of work left behind, once it is over: V8 drops the compiled code
 * (bytecode, baseline code, feedback) of every function that is not running now and collects
 * everything it can, returning the freed pages to the system at once. A function dropped this way
 * is compiled again, lazily, the next time it is called.
 *
 * The tray app's start-up and its hourly account sweep run a great deal of code once — every
 * module's top level, 38 regions' SDK clients, the ssh handshake — and V8 keeps that code until
 * it has aged through several full collections, which a process that mostly waits seldom has; and
 * the pages the burst grew stay resident until V8's memory reducer happens to run. About 3 MB of
 * heap and 5 MB of resident memory (docs/benchmarks.md). A full collection costs tens of
 * milliseconds of the main thread, once per burst.
 *
 * V8 exposes this only to a context made after `--expose-gc` is set, hence the new context; and
 * only as a stress flag for "drop all code now", which is set for this one collection.
 */
export function releaseColdCode(): void {
  if (collect === null) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  setFlagsFromString('--stress-flush-code');
  setFlagsFromString('--flush-baseline-code');
  try {
    collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } finally {
    setFlagsFromString('--no-stress-flush-code');
    setFlagsFromString('--no-flush-baseline-code');
  }
}
