#!/usr/bin/env node
// `rig`: the bundled CLI. Built by `npm run build` (scripts/build-cli.mjs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/cli/rig.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('error: rig is not built yet. Fix: run `npm run build` in the CloudRig checkout.\n');
  process.exit(1);
}
await import(bundle.href);
