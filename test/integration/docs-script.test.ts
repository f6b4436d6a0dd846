import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHOTS } from '../e2e/support/component-page.js';
import { RELIABILITY_BUILD } from '../support/docs-build.js';

// `npm run docs` (scripts/docs.mjs) run on a scratch checkout: what the last test run left in
// .docs-build/ goes into docs/, and only that.
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'docs.mjs');

const DOC = [
  '# Reliability', '',
  '## Faults', '<!-- faults:start -->', 'old faults table', '<!-- faults:end -->', '',
  '## Kills', '<!-- kills:start -->', 'old kills table', '<!-- kills:end -->', '',
  '## Files', '<!-- files:start -->', 'old files table', '<!-- files:end -->', '',
].join('\n');

let checkout: string;

beforeEach(async () => {
  checkout = await mkdtemp(join(tmpdir(), 'cloudrig-docs-'));
  await mkdir(join(checkout, 'docs', 'screenshots'), { recursive: true });
  await writeFile(join(checkout, 'docs', 'reliability.md'), DOC);
});

afterEach(async () => {
  await rm(checkout, { recursive: true, force: true });
});

/** Leaves a section in the scratch checkout's build folder as writeReliabilitySection does. */
async function built(section: string, output: { complete: boolean; ran: number; total: number; markdown?: string }): Promise<void> {
  await mkdir(join(checkout, '.docs-build', 'reliability'), { recursive: true });
  await writeFile(join(checkout, '.docs-build', 'reliability', `${section}.json`), JSON.stringify({ section, file: `test/integration/${section}.test.ts`, ...output }));
}

async function docs(): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, '--root', checkout]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run docs', () => {
  it('what the suite generates goes into a folder git ignores, never into a tracked file', async () => {
    for (const path of [join(SHOTS, 'ready.png'), join(RELIABILITY_BUILD, 'files.json')]) {
      const { stdout } = await run('git', ['check-ignore', '--no-index', '-v', relative(ROOT, path)], { cwd: ROOT });
      expect(stdout, path).toContain('.docs-build/');
    }
  });

  it('splices a table whose whole test file ran and keeps, with the reason, one from a -t run and one the run did not make', async () => {
    await built('faults', { complete: true, ran: 48, total: 48, markdown: '| new | faults |\n| --- | --- |\n' });
    await built('kills', { complete: false, ran: 2, total: 12 });

    const result = await docs();

    expect(result.code, result.stderr).toBe(0);
    const doc = await readFile(join(checkout, 'docs', 'reliability.md'), 'utf8');
    expect(doc).toBe(DOC.replace('old faults table', '| new | faults |\n| --- | --- |'));
    expect(result.stdout).toContain('updated reliability faults (test/integration/faults.test.ts)');
    expect(result.stdout).toContain('kept reliability kills: the last run ran 2 of the 12 tests in test/integration/kills.test.ts (a -t run or a skipped test); run the whole file');
    expect(result.stdout).toContain('kept reliability files: the last run did not run its test file');
  });

  it('copies the screenshots the run took and names each committed one it did not take', async () => {
    await writeFile(join(checkout, 'docs', 'screenshots', 'ready.png'), 'old ready');
    await writeFile(join(checkout, 'docs', 'screenshots', 'stopped.png'), 'old stopped');
    await mkdir(join(checkout, '.docs-build', 'screenshots'), { recursive: true });
    await writeFile(join(checkout, '.docs-build', 'screenshots', 'ready.png'), 'new ready');
    await writeFile(join(checkout, '.docs-build', 'screenshots', 'fleet.png'), 'new fleet');

    const result = await docs();

    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(checkout, 'docs', 'screenshots', 'ready.png'), 'utf8')).toBe('new ready');
    expect(await readFile(join(checkout, 'docs', 'screenshots', 'fleet.png'), 'utf8')).toBe('new fleet');
    expect(await readFile(join(checkout, 'docs', 'screenshots', 'stopped.png'), 'utf8')).toBe('old stopped');
    expect(result.stdout).toContain('updated docs/screenshots/ready.png');
    expect(result.stdout).toContain('added docs/screenshots/fleet.png');
    expect(result.stdout).toContain('kept docs/screenshots/stopped.png: the last run did not take it');
    expect(await readFile(join(checkout, 'docs', 'reliability.md'), 'utf8')).toBe(DOC);
  });

  it('without a test run first, says to run the tests and changes nothing', async () => {
    const result = await docs();

    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('error: nothing to copy: .docs-build/ does not exist. Fix: run the tests that make what you want first (npm test)');
    expect(await readFile(join(checkout, 'docs', 'reliability.md'), 'utf8')).toBe(DOC);
  });

  it('refuses a table docs/reliability.md has no markers for, and writes no other', async () => {
    await built('faults', { complete: true, ran: 48, total: 48, markdown: 'new faults table' });
    await built('leaks', { complete: true, ran: 3, total: 3, markdown: 'leaks table' });

    const result = await docs();

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: the tests wrote leaks, which docs/reliability.md has no markers for. Fix: add <!-- NAME:start --> and <!-- NAME:end --> under a heading in docs/reliability.md');
    expect(await readFile(join(checkout, 'docs', 'reliability.md'), 'utf8')).toBe(DOC);
  });
});
