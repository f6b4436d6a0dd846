// The idle watcher child's entry, as src/main/start.ts is the app's: V8's memory settings first,
// then the watcher (footprint-watch.ts), loaded only once they are in force.
import '../src/adapters/memory-first.js';

await import('./footprint-watch.js');
