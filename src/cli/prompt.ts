import { CloudRigError, toErrorInfo } from '../core/app/face.js';
import { createInterface } from 'node:readline/promises';
import { cliErrorText } from './fix-wording.js';
import type { Io } from './output.js';

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
