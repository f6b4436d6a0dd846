import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ErrorCode } from '../../src/shared/errors.js';
import type { RigWorld } from './rig-harness.js';
import { rigOnPty } from './rig-pty.js';
import { waitUntil } from './wait-until.js';

/**
 * The name of a test that produces `code` through `rig` and follows its fix as printed. The
 * coverage test (fixes-followed-coverage.test.ts) reads these names out of the fixes-followed test
 * files: every code whose fix names a `rig` command must have one.
 */
export function followed(code: ErrorCode, behaviour: string): string {
  return `${code}: ${behaviour}`;
}

/** A word a user must replace (FILE, PATH, TYPE…) or an ellipsis: the command cannot be run as printed. */
export const PLACEHOLDER = /(?:^|\s)[A-Z][A-Z_]+(?=\s|$)|…|\.\.\./;

/** The `rig …` commands in backticks in a text, as printed. */
export function rigCommands(text: string): string[] {
  return [...text.matchAll(/`rig ([^`]+)`/g)].map((match) => match[1]!);
}

/**
 * The first `rig …` command in the error's Fix that can be run as printed, as words (CloudRig's
 * fixes quote nothing in them); `nth` picks a later one.
 */
export function fixCommand(stderr: string, nth = 0): string[] {
  const fix = /Fix: (.*)$/m.exec(stderr)?.[1] ?? '';
  const command = rigCommands(fix).filter((c) => !PLACEHOLDER.test(c))[nth];
  expect(command, `no runnable rig command in the fix of: ${stderr}`).toBeDefined();
  expect(command).not.toMatch(/['"]/);
  return command!.split(' ').filter(Boolean);
}

/**
 * Runs `rig args` of `world` on a terminal, as a user pasting a fix does, answering each yes/no
 * question in turn from `answers` (then `n`), until it ends.
 */
export async function onTerminal(world: RigWorld, args: readonly string[], answers: readonly ('y' | 'n')[]): Promise<{ code: number; output: string }> {
  const rig = rigOnPty(args, { ...world.env, CLOUDRIG_HOME: world.home, CLOUDRIG_KEEPALIVE_FILE: join(world.home, 'box-keepalive') });
  let answered = 0;
  await waitUntil(`rig ${args.join(' ')} to end`, () => {
    const asked = rig.output().split(/\((?:y\/N|Y\/n)\)/).length - 1;
    if (asked > answered) {
      rig.type(`${answers[answered] ?? 'n'}\r`);
      answered = asked;
    }
    return rig.ended();
  }, 180_000);
  return rig.exited;
}

/**
 * The box's side of a setup script, as cloud-init leaves it in `dir` (rig reads it there with
 * CLOUDRIG_SETUP_DIR): started on this boot, its log so far, and its exit status once it ended.
 */
export async function setupOnBox(dir: string, log: string, exit: number | null): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'started'), `${(await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim()}\n`);
  await writeFile(join(dir, 'setup.log'), log);
  if (exit !== null) await writeFile(join(dir, 'exit'), `${exit}\n`);
}
