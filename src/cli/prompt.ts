import { CloudRigError, toErrorInfo } from '../core/app/face.js';
import confirm from '@inquirer/confirm';
import { createInterface } from 'node:readline/promises';
import type { Fix } from '../shared/errors.js';
import { cliErrorText } from './fix-wording.js';
import type { Io } from './output.js';

/** Where a yes-or-no question is written (the context @inquirer/confirm takes). */
export type QuestionContext = NonNullable<Parameters<typeof confirm>[1]>;

/** What a command says when it would ask but cannot. */
export interface Refusal {
  /** --yes: nothing is asked, the answer is yes. */
  readonly yes?: boolean;
  /** The error's message when stdin is no terminal; it says nothing was done and why. */
  readonly refusal: string;
  /** The error's fix; by default "Pass --yes to confirm." */
  readonly fix?: Fix;
}

/**
 * Throws `refusal` when rig would ask but stdin is no terminal: a script or a pipe gets an error
 * naming --yes, never a question nobody answers or a yes nobody gave.
 */
export function refuseWithoutTerminal(io: Io, options: Refusal): void {
  if (options.yes || io.stdinIsTty) return;
  throw new CloudRigError('NeedsConfirmation', options.refusal, options.fix ?? { action: 'confirm' });
}

/**
 * Where this run asks: its own streams, and stderr when stdout holds the one JSON object (--json),
 * so a script reading stdout never gets a question in it.
 */
export function questionContext(io: Io, json = false): QuestionContext {
  return { output: json ? io.stderr : io.stdout };
}

/**
 * Asks `message` (yes or no) on the terminal, or refuses without one (see refuseWithoutTerminal);
 * with --yes asks nothing and answers yes.
 */
export async function confirmOrRefuse(io: Io, options: Refusal & { readonly json?: boolean; readonly message: string; readonly default: boolean }): Promise<boolean> {
  if (options.yes) return true;
  refuseWithoutTerminal(io, options);
  return confirm({ message: options.message, default: options.default }, questionContext(io, options.json));
}

/** Asks the user on the terminal, one line per question. */
export interface Asker {
  /**
   * Asks `question` until `parse` takes the answer; an empty answer is `fallback`. A refused answer
   * prints its one-line reason and asks again.
   */
  ask<T>(question: string, fallback: string, parse: (answer: string) => T): Promise<T>;
  close(): void;
}

/**
 * Questions on the terminal through readline (rig's only prompt package asks yes or no). Ctrl-C or
 * Ctrl-D at a question ends the command with nothing saved; only ever made when stdin is a TTY.
 */
export function terminalAsker(io: Io): Asker {
  const rl = createInterface({ input: process.stdin, output: io.stdout, terminal: true });
  const cancel = new AbortController();
  const cancelled = (): void => cancel.abort();
  rl.on('SIGINT', cancelled);
  rl.on('close', cancelled);
  return {
    async ask(question, fallback, parse) {
      for (;;) {
        let answer: string;
        try {
          answer = (await rl.question(`${question}${fallback ? ` [${fallback}]` : ''}: `, { signal: cancel.signal })).trim();
        } catch {
          io.stdout.write('\n');
          throw new CloudRigError('Aborted', 'Cancelled at a question; nothing was saved.', { action: 'answer-questions' });
        }
        try {
          return parse(answer === '' ? fallback : answer);
        } catch (error) {
          io.stdout.write(`${error instanceof CloudRigError ? cliErrorText(error) : toErrorInfo(error).message}\n`);
        }
      }
    },
    close() {
      rl.off('close', cancelled);
      rl.close();
    },
  };
}
