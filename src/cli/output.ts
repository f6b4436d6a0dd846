import { InvalidArgumentError } from 'commander';
import ora, { type Ora } from 'ora';
import type { Step } from '../shared/workstation.js';
import { CloudRigError, toErrorInfo } from '../core/errors.js';
import type { ErrorInfo } from '../shared/errors.js';
import { cliErrorText, cliFix } from './fix-wording.js';
import { printable } from '../shared/untrusted-text.js';

/** Where the CLI writes; injectable so tests can run the program in-process. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdinIsTty: boolean;
}

/**
 * Whether progress on `stream` may redraw one line (a spinner) rather than print a line a step: a
 * terminal with a width, not CI, not TERM=dumb. A terminal with no width (`script` without a size,
 * `stty cols 0`, some IDE and CI consoles) gets plain lines: a spinner there redraws for ever,
 * since no line ever fits (847 MB of cursor moves in 10 minutes).
 */
export function isInteractive(stream: Io['stderr']): boolean {
  return Boolean(stream.isTTY) && !process.env.CI && process.env.TERM !== 'dumb' && (stream.columns ?? 0) > 0;
}

/** Prints each step as it starts: a spinner on a terminal, one line per step otherwise. */
export class Progress {
  /** Spinners still turning: a failed command stops them, or they would keep the process alive. */
  private static readonly active = new Set<Progress>();
  private spinner: Ora | null = null;
  private current: string | null = null;

  constructor(private readonly io: Io) {}

  /** Marks every spinner still turning as failed (the command ended with an error). */
  static failAll(): void {
    for (const progress of Progress.active) progress.fail();
  }

  readonly step = (step: Step): void => {
    if (this.current === step.label) return;
    if (!isInteractive(this.io.stderr)) {
      this.io.stderr.write(`• ${step.label}\n`);
    } else {
      this.spinner?.succeed();
      // discardStdin off: ora's raw-mode stdin swallowed Ctrl-C (its data listener never made stdin
      // flow), so an interrupt never reached rig; the terminal's own Ctrl-C (SIGINT) must.
      this.spinner = ora({ text: step.label, stream: this.io.stderr, discardStdin: false }).start();
      Progress.active.add(this);
    }
    this.current = step.label;
  };

  done(message?: string): void {
    if (this.spinner) {
      this.spinner.succeed();
      this.spinner = null;
    }
    Progress.active.delete(this);
    if (message) this.io.stderr.write(`✔ ${message}\n`);
  }

  fail(): void {
    this.spinner?.fail();
    this.spinner = null;
    Progress.active.delete(this);
  }
}

/** The one error line: what went wrong, then how to fix it. */
export function errorLine(error: unknown): string {
  return `error: ${cliErrorText(toErrorInfo(error))}`;
}

/** A warning line: what went wrong, then how to fix it (the command goes on). */
export function warningLine(problem: Pick<ErrorInfo, 'message' | 'fix'>): string {
  return `warning: ${printable(`${problem.message} Fix: ${cliFix(problem.fix)}`)}`;
}

// JSON.stringify escapes C0 controls; these it leaves raw (DEL, the C1 range with its 8-bit CSI, bidi controls).
const JSON_RAW_CONTROLS = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as JSON with every control character written as a \u escape: the same data for a script
 * that parses it, and nothing a terminal acts on when it is printed (text from the box is in it).
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_RAW_CONTROLS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes one line to `stream` (stdout or stderr). */
export function lineWriter(stream: NodeJS.WritableStream): (line: string) => void {
  return (line) => {
    stream.write(`${line}\n`);
  };
}

/** Wraps a validator so commander reports the error as the flag's. */
export function flag<T>(validate: (value: string) => T) {
  return (value: string): T => {
    try {
      return validate(value);
    } catch (error) {
      if (error instanceof CloudRigError) throw new InvalidArgumentError(cliErrorText(error));
      throw error;
    }
  };
}
