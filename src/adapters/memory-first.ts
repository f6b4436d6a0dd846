import { favourMemoryOverSpeed, keepYoungGenerationSmall } from './young-generation.js';

// Imported for its effect, first, by the tray app's start (src/main/start.ts), which loads
// everything else only afterwards. Flags set in the entry point's own body came too late: ES
// modules evaluate every import before the importer's body, so the bundled SDK, zod and the
// whole core had already been compiled and run with V8's defaults (optimizing compilers on, the
// young generation free to grow) by the time they were set.
keepYoungGenerationSmall();
favourMemoryOverSpeed();
