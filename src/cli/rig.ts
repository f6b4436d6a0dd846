import { runRig } from './main.js';

// The `rig` executable: run, then exit with the command's code once output is flushed.
const code = await runRig(process.argv.slice(2));
process.exitCode = code;
