import { expect } from 'vitest';
import type { ErrorCode } from '../../src/shared/errors.js';

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
