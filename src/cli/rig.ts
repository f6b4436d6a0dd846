// The one adapter `rig` loads before the composition: the probe must start before the AWS SDK loads.
import { earlySshProbe } from '../adapters/early-ssh-probe.js';

// The SDK's Node-version notice would break the one-error-line contract on stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `rig status | head -1`: once the reader is gone there is nobody to tell; end quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw error;
  });
}

// The `rig` executable. `rig status` starts its ssh answer check first; the rest (commander, zod,
// the AWS SDK) loads meanwhile, so the check costs little of the wall time.
const argv = process.argv.slice(2);
const ssh = earlySshProbe(argv);
const { runRig } = await import('./main.js');
process.exitCode = await runRig(argv, undefined, { ssh, interrupts: true });
