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

let running: string | null = null;

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
 * Runs `rig args` in this process, with `env` as its whole environment for the length of the run:
 * the same runRig the `rig` executable calls, with stdout and stderr collected as a parent process
 * would see them (not terminals, so no spinners). A node process costs about a second of CPU to
 * start and load the SDK; the suite runs `rig` hundreds of times.
 *
 * One run at a time: process.env and process.exitCode are the process's. A second run started while
 * one is under way is refused (two commands at once need two processes: their locks are per process).
 */
export async function runRigInProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RigResult> {
  if (needsOwnProcess(args, env)) {
    throw new Error(`rig ${args.join(' ')} needs a process of its own: pass { process: true }`);
  }
  if (running !== null) {
    throw new Error(`rig ${args.join(' ')} started while rig ${running} runs in this process: pass { process: true } to run both at once`);
  }
  running = args.join(' ');
  const savedEnv = { ...process.env };
  const savedExitCode = process.exitCode;
  for (const key of Object.keys(process.env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  process.exitCode = undefined;
  const stdout = new Collected();
  const stderr = new Collected();
  try {
    const code = await runRig(args, { stdout, stderr, stdinIsTty: false }, { ssh: earlySshProbe(args, process.env) });
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, savedEnv);
    process.exitCode = savedExitCode;
    running = null;
  }
}
