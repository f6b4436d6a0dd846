import { runRig } from './main.js';

// The SDK's Node-version notice would break the one-error-line contract on stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The `rig` executable: run, then exit with the command's code once output is flushed.
const code = await runRig(process.argv.slice(2));
process.exitCode = code;
