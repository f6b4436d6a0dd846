// `npm run demo`: try CloudRig without an AWS account. Starts moto_server behind the cloud proxy
// and an sshd that plays the workstation (the test fixtures, bundled with esbuild into the
// gitignored .demo/), prints the environment for `rig` and the app as `export` lines, and runs
// until Ctrl-C, when it stops every process it started and deletes its temporary folders.
// The README's "Try it without AWS" section has the commands to run next.
import { stop as stopEsbuild } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleFixtures, ensureCliBuilt } from './fixture-bundle.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, '.demo');

await bundleFixtures({ root, entryPoints: { world: 'scripts/demo-world.ts' }, outdir });
// esbuild's service process would otherwise live as long as the demo.
await stopEsbuild();
// The printed commands run the built `rig`.
ensureCliBuilt(root, 'demo');

const { main } = await import(pathToFileURL(join(outdir, 'world.mjs')).href);
process.exitCode = await main({ root });
