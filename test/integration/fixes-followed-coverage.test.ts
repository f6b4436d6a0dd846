import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FixStepSchema, type ErrorCode, type FixAction } from '../../src/shared/errors.js';
import { errorFixSites, type ErrorFixSite } from '../support/error-fix-sites.js';
import { wordedCommands } from '../support/fix-samples.js';
import { PLACEHOLDER, rigCommands } from '../support/followed-fix.js';

// Every error code whose fix, as `rig` words it, names a `rig` command that can be run as printed
// has a test that produces the error through the CLI and follows that command (a `followed(code,
// …)` test in a fixes-followed*.test.ts file). Driven by the code list: the source is scanned for
// the places that give a code its fix (src/cli, core, adapters, shared), and each fix is worded by
// the CLI's own wording (fix-wording.ts) for every branch of its action; a command with a word to
// replace (FILE, PATH, TYPE…) or an ellipsis is not one that can be run as printed.

const FOLLOWED_FILES = readdirSync(import.meta.dirname).filter((file) => /^fixes-followed.*\.test\.ts$/.test(file) && !file.includes('coverage'));

/**
 * Codes whose printed command is not followed by a test yet, each with what following it needs.
 * The coverage test fails for a code that names a command and is in neither the followed tests nor
 * here, and for a code listed here that no longer needs to be (followed now, or no command): the
 * list can only shrink.
 */
// Empty: every code whose fix names a runnable command is followed.
const NOT_YET_FOLLOWED: Partial<Record<ErrorCode, string>> = {};

/** The values a site writes for a step's enum fields (`reason: 'busy'`), so only those branches are worded. */
function writtenValues(site: ErrorFixSite): Record<string, string> {
  return Object.fromEntries([...site.fix.matchAll(/(\w+): '([\w-]+)'/g)].map((m) => [m[1]!, m[2]!]));
}

const ACTIONS = new Set<string>(FixStepSchema.options.map((option) => option.shape.action.value));

/** The `rig …` commands a site's fix prints that can be run as printed. */
function runnableCommands(site: ErrorFixSite): string[] {
  const worded = site.actions.filter((action) => ACTIONS.has(action)).flatMap((action) => wordedCommands(action as FixAction, writtenValues(site)));
  return [...worded, ...site.texts.flatMap(rigCommands)].filter((command) => !PLACEHOLDER.test(command));
}

/** The codes the followed-fix test files have a `followed(code, …)` test for. */
function followedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of FOLLOWED_FILES) {
    for (const match of readFileSync(join(import.meta.dirname, file), 'utf8').matchAll(/\bfollowed\('([\w.]+)'/g)) codes.add(match[1]!);
  }
  return codes;
}

describe('every fix that names a rig command is followed by a test', () => {
  const sites = errorFixSites();
  const needing = new Map<ErrorCode, string[]>();
  for (const site of sites) {
    const commands = runnableCommands(site);
    if (commands.length) needing.set(site.code, [...(needing.get(site.code) ?? []), `${site.where}: rig ${commands[0]}`]);
  }

  it('the scan finds the places that give codes their fixes, structured and as text', () => {
    // Ones a broken scan would lose: a fix object, a fix held in a const, a `case` label, a fix in a face.
    expect(sites.find((s) => s.code === 'VcpuLimitExceeded' && s.where.startsWith('src/adapters/aws/error-map.ts'))?.actions).toEqual(['request-quota']);
    expect(sites.find((s) => s.code === 'InsufficientInstanceCapacity' && s.fix.includes('resize-for-capacity'))).toBeDefined();
    expect(sites.find((s) => s.code === 'NotRunning' && s.where.startsWith('src/core/app/connect.ts'))?.actions).toEqual(['start']);
    expect(new Set(sites.map((s) => s.code)).size).toBeGreaterThan(ERROR_CODES.length / 2);
  });

  it('each code whose fix names a runnable rig command has a followed-fix test', () => {
    const followedNow = followedCodes();
    const missing = [...needing].filter(([code]) => !followedNow.has(code) && !(code in NOT_YET_FOLLOWED)).map(([code, where]) => `${code} (${where.join('; ')})`);
    expect(missing, 'codes whose printed rig command no test follows').toEqual([]);
  });

  it('the list of codes not yet followed only names codes that still need a test', () => {
    const followedNow = followedCodes();
    const stale = Object.keys(NOT_YET_FOLLOWED).filter((code) => followedNow.has(code) || !needing.has(code as ErrorCode));
    expect(stale, 'followed now, or their fix names no runnable command: take them off NOT_YET_FOLLOWED').toEqual([]);
  });

  it('each followed-fix test names a code whose fix names a runnable rig command', () => {
    const unneeded = [...followedCodes()].filter((code) => !needing.has(code as ErrorCode));
    expect(unneeded).toEqual([]);
  });
});
