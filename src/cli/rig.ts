// The one adapter `rig` loads before the composition: the probe must start before the AWS SDK loads.
import { earlySshProbe } from '../adapters/early-ssh-probe.js';

// The `rig` executable, and the one place `rig` reads its process: the arguments, the streams and the
// environment are read here once and handed down; the exit code comes back as a value.

// The AWS SDK's notice that a future release needs a newer Node would break the one-error-line
// contract on stderr (rig itself says which Node it needs). Dropped here, not by setting the SDK's
// switch in the environment: nothing in rig writes the environment.
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning instanceof Error ? warning.message : warning).startsWith('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

const exit = { code: 0 };
// `rig status | head -1`: once the reader is gone there is nobody to tell; end quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(exit.code);
    throw error;
  });
}

// `rig status` starts its ssh answer check first; the rest (commander, zod, the AWS SDK) loads
// meanwhile, so the check costs little of the wall time.
const argv = process.argv.slice(2);
const env = process.env;
const ssh = earlySshProbe(argv, env);
const { runRig } = await import('./main.js');
exit.code = await runRig(argv, { stdout: process.stdout, stderr: process.stderr, stdinIsTty: Boolean(process.stdin.isTTY), env }, { ssh, interrupts: true });
process.exitCode = exit.code;
