#!/usr/bin/env node
// `rig`: the bundled CLI. Built by `npm run build` (scripts/build-cli.mjs).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/cli/rig.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('error: rig is not built yet. Fix: run `npm run build` in the CloudRig checkout.\n');
  process.exit(1);
}
// Node >= 22.1 keeps the compiled bundle on disk (in the OS temp dir), so later runs skip most
// of compiling it. Older Node has no such cache; rig runs the same, only slower to start.
module.enableCompileCache?.();
await import(bundle.href);
