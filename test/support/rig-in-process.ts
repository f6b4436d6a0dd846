import { Writable } from 'node:stream';
import { earlySshProbe } from '../../src/adapters/early-ssh-probe.js';
import { runRig } from '../../src/cli/main.js';

/** What one `rig` run printed and how it ended. */
export interface RigResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Commands that hand the terminal to another program (`rig ssh`, `rig code`), print through
 * process.stderr (`--debug`, CLOUDRIG_DEBUG), or run until interrupted: their output or their signals
 * belong to a process of their own, so they are refused here rather than quietly losing what they print.
 */
const NEEDS_A_PROCESS = new Set(['ssh', 'code', 'tunnel', 'jupyter', 'tensorboard']);

/** Whether `rig args` with `env` must run as a process of its own (see NEEDS_A_PROCESS). */
export function needsOwnProcess(args: readonly string[], env: NodeJS.ProcessEnv): boolean {
  // Any word, not only the first: `rig --home DIR ssh` is `rig ssh`. A workstation named like one of
  // these only costs its command a process.
  return args.includes('--debug') || args.includes('--watch') || args.includes('--') || args.some((arg) => NEEDS_A_PROCESS.has(arg))
    || Boolean(env.CLOUDRIG_DEBUG);
}

/** A stream that keeps what is written to it, as a pipe to a parent would. */
class Collected extends Writable {
  text = '';
  readonly isTTY = false;
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Runs `rig args` in this process with `env` as its environment: the same runRig the `rig`
 * executable calls, given its streams and environment as values (stdout and stderr collected as a
 * parent process would see them: not terminals, so no spinners). The process's own environment is
 * neither read nor changed, and the exit code is returned, so runs may overlap. A node process costs
 * about a second of CPU to start and load the SDK; the suite runs `rig` hundreds of times.
 */
export async function runRigInProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RigResult> {
  if (needsOwnProcess(args, env)) {
    throw new Error(`rig ${args.join(' ')} needs a process of its own: pass { process: true }`);
  }
  const stdout = new Collected();
  const stderr = new Collected();
  const code = await runRig(args, { stdout, stderr, stdinIsTty: false, env }, { ssh: earlySshProbe(args, env) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
