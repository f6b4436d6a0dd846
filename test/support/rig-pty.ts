import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { shellQuote } from '../../src/core/ssh-command.js';

const RIG = join(import.meta.dirname, '..', '..', 'bin', 'rig.js');

/** `rig` running on a pseudo-terminal, as a user's shell runs it. */
export interface RigOnPty {
  /** Everything rig wrote to the terminal so far (stdout and stderr, as the user sees them). */
  output(): string;
  /** Presses Ctrl-C: the terminal's line discipline sends SIGINT to rig, as in a shell. */
  pressCtrlC(): void;
  /** Types on the terminal, as a user answering a prompt ("y\r"). */
  type(text: string): void;
  /** Whether rig has ended. */
  ended(): boolean;
  /** Resolves with rig's exit code and what it wrote. */
  readonly exited: Promise<{ code: number; output: string }>;
}

/**
 * Runs the built `rig args` under a pseudo-terminal made by util-linux `script` (no native pty
 * module needed): a \x03 written to script's input reaches the terminal's line discipline, which
 * interrupts rig with SIGINT exactly as Ctrl-C in a terminal does; `-e` passes rig's exit code on.
 */
export function rigOnPty(args: readonly string[], env: NodeJS.ProcessEnv, options: { readonly columns?: number } = {}): RigOnPty {
  // A terminal has a size (script's pty starts at 0x0); `columns: 0` keeps a terminal without one.
  const command = `stty cols ${options.columns ?? 120} rows 40 && exec ${[process.execPath, RIG, ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const take = (chunk: Buffer): void => {
    output += chunk.toString().replaceAll('\r\n', '\n');
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  let done = false;
  // Keys typed as the program ends reach a terminal that is closing: lost, as on a real one, not an
  // error of the test (an unhandled EPIPE failed a clean-clone run after every test had passed).
  child.stdin.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const exited = new Promise<{ code: number; output: string }>((resolve) => child.once('close', (code) => {
    done = true;
    resolve({ code: code ?? -1, output });
  }));
  return {
    output: () => output,
    pressCtrlC: () => void (child.stdin.writable && child.stdin.write('\x03')),
    type: (text) => void (child.stdin.writable && child.stdin.write(text)),
    ended: () => done,
    exited,
  };
}
