import { CloudRigError, toErrorInfo } from '../core/app/face.js';
import { InvalidArgumentError } from 'commander';
import ora, { type Ora } from 'ora';
import type { Step } from '../shared/workstation.js';
import type { ErrorInfo } from '../shared/errors.js';
import { cliErrorText, cliFix } from './fix-wording.js';
import { printable, replaceControlCharacters } from '../shared/untrusted-text.js';

/** The environment as the entry point read it once; nothing below it reads `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * What one `rig` run takes from its process: where it writes, whether it may ask, and the
 * environment. The `rig` executable passes its own; a test passes streams and an environment of its
 * own, so two runs in one process never share either.
 */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdinIsTty: boolean;
  readonly env: Environment;
}

/**
 * Whether progress on `stream` may redraw one line (a spinner) rather than print a line a step: a
 * terminal with a width, not CI, not TERM=dumb. A terminal with no width (`script` without a size,
 * `stty cols 0`, some IDE and CI consoles) gets plain lines: a spinner there redraws for ever,
 * since no line ever fits (847 MB of cursor moves in 10 minutes).
 */
export function isInteractive(stream: Io['stderr'], env: Environment): boolean {
  return Boolean(stream.isTTY) && !env.CI && env.TERM !== 'dumb' && (stream.columns ?? 0) > 0;
}

/**
 * Whether rig may colour what it writes to `stream`: `NO_COLOR` (any value) turns colour off,
 * `FORCE_COLOR` turns it on (`0` or `false` off), otherwise a terminal that is not TERM=dumb. Ora's
 * spinner colours through chalk, which ignores NO_COLOR, so rig decides and tells it.
 */
export function useColor(stream: Io['stderr'], env: Environment): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** How long a step may wait before its line shows the time it has taken. */
const ELAPSED_AFTER_MS = 3_000;
/** Without a spinner, how often a long wait says it is still waiting (one line each time). */
const STILL_WAITING_EVERY_MS = 30_000;

/** `65_000` → "1 min 5 s". */
export function elapsedText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * Prints each step as it starts: a spinner on a terminal, one line per step otherwise. A step that
 * waits longer than a few seconds shows its elapsed time (in the spinner's text, or a "still" line
 * every half minute), so a long wait never looks like a hang.
 */
export class Progress {
  /** Spinners still turning: a failed command stops them, or they would keep the process alive. */
  private static readonly active = new Set<Progress>();
  private spinner: Ora | null = null;
  private current: string | null = null;
  private startedAt = 0;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly color: boolean;

  constructor(private readonly io: Io) {
    this.color = useColor(io.stderr, io.env);
  }

  /** Marks every spinner of this run (its `io`) still turning as failed: the command ended with an error. */
  static failAll(io: Io): void {
    for (const progress of Progress.active) if (progress.io === io) progress.fail();
  }

  readonly step = (step: Step): void => {
    if (this.current === step.label) return;
    this.stopTicker();
    const label = step.label;
    if (!isInteractive(this.io.stderr, this.io.env)) {
      this.io.stderr.write(`• ${label}\n`);
      this.tick(STILL_WAITING_EVERY_MS, (elapsed) => this.io.stderr.write(`  still: ${label} (${elapsed})\n`));
    } else {
      this.persist(true);
      // discardStdin off: ora's raw-mode stdin swallowed Ctrl-C (its data listener never made stdin
      // flow), so an interrupt never reached rig; the terminal's own Ctrl-C (SIGINT) must.
      // isEnabled: rig decided from its own environment (io.env) that this is a terminal; ora would read process.env.
      const spinner = ora({ text: label, stream: this.io.stderr, discardStdin: false, isEnabled: true, color: this.color ? 'cyan' : false }).start();
      this.spinner = spinner;
      Progress.active.add(this);
      this.tick(1_000, (elapsed) => {
        spinner.text = `${label} (${elapsed})`;
      });
    }
    this.current = label;
  };

  done(message?: string): void {
    this.stopTicker();
    this.persist(true);
    Progress.active.delete(this);
    if (message) this.io.stderr.write(`✔ ${message}\n`);
  }

  fail(): void {
    this.stopTicker();
    this.persist(false);
    Progress.active.delete(this);
  }

  /** Calls `show` with the elapsed time every `everyMs` once the step has waited a few seconds. */
  private tick(everyMs: number, show: (elapsed: string) => void): void {
    this.startedAt = Date.now();
    this.ticker = setInterval(() => {
      const elapsed = Date.now() - this.startedAt;
      if (elapsed >= ELAPSED_AFTER_MS) show(elapsedText(elapsed));
    }, everyMs);
    this.ticker.unref();
  }

  private stopTicker(): void {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
  }

  /** Ends the spinner's line with ✔ or ✖, coloured only when colour is on. */
  private persist(succeeded: boolean): void {
    if (this.spinner === null) return;
    if (this.color) {
      if (succeeded) this.spinner.succeed();
      else this.spinner.fail();
    } else {
      this.spinner.stopAndPersist({ symbol: succeeded ? '✔' : '✖' });
    }
    this.spinner = null;
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

/**
 * `value` as JSON with every control character written as a \u escape: the same data for a script
 * that parses it, and nothing a terminal acts on when it is printed (text from the box is in it).
 * The controls are the shared set printable escapes. JSON.stringify has already escaped C0 inside
 * strings, so a raw newline left is the layout's own and stays; DEL, the C1 range (with its 8-bit
 * CSI), the line separators and the bidi controls it leaves raw, and they are escaped here.
 */
export function jsonText(value: unknown, indent?: number): string {
  return replaceControlCharacters(JSON.stringify(value, null, indent), (char) => (char === '\n' ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
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
