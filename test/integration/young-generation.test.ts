import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;
const MODULE = pathToFileURL(resolve(import.meta.dirname, '../../src/adapters/young-generation.ts')).href;
const COLD_CODE = pathToFileURL(resolve(import.meta.dirname, '../../src/adapters/cold-code.ts')).href;

/**
 * A Node process (this test's own Node, which runs TypeScript without a build) that, with or
 * without the app's setting, lives through a start-up burst: many young objects that survive a
 * few scavenges, as a poll, a scan and an ssh handshake at once leave them. It prints the size of
 * the young generation before and after.
 */
function youngGenerationAfterBurst(keepSmall: boolean): Promise<{ before: number; after: number }> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    ${keepSmall ? `(await import(${JSON.stringify(MODULE)})).keepYoungGenerationSmall();` : ''}
    const young = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    const before = young();
    const kept = [];
    for (let round = 0; round < 40; round++) {
      const batch = [];
      for (let i = 0; i < 20000; i++) batch.push({ round, i, text: 'x'.repeat(16) });
      kept.push(batch);
      if (kept.length > 8) kept.shift();
      await new Promise((done) => setImmediate(done));
    }
    console.log(JSON.stringify({ before, after: young(), kept: kept.length }));
  `;
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout) => {
      if (error) reject(error);
      else resolvePromise(JSON.parse(stdout) as { before: number; after: number });
    });
  });
}

describe("the tray app's young generation", () => {
  it('grows through a start-up burst in a plain Node process (what the setting is for)', async () => {
    const { after } = await youngGenerationAfterBurst(false);
    expect(after).toBeGreaterThan(16 * MiB);
  });

  it('stays within a few MB through the same burst once the app has kept it small', async () => {
    const { after } = await youngGenerationAfterBurst(true);
    expect(after).toBeLessThanOrEqual(4 * MiB);
  });
});

/**
 * A Node process that, with or without the app's setting, runs one function hot enough for V8 to
 * optimize it, and prints what V8's `--trace-opt` says it optimized and what its baseline
 * compiler's trace says it queued for Sparkplug.
 */
function optimizedAfterHotLoop(skip: boolean): Promise<string[]> {
  const script = `
    ${skip ? `(await import(${JSON.stringify(MODULE)})).favourMemoryOverSpeed();` : ''}
    function hot(n) { let sum = 0; for (let i = 0; i < n; i++) sum += Math.sqrt(i) * (i & 3); return sum; }
    let total = 0;
    for (let round = 0; round < 2000; round++) total += hot(10000);
    console.log(total > 0);
  `;
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, ['--trace-opt', '--trace-baseline-batch-compilation', '--input-type=module', '-e', script], (error, stdout) => {
      if (error) reject(error);
      else resolvePromise(stdout.split('\n').filter((line) => (/completed (optimizing|compiling)/.test(line) && line.includes('hot')) || line.includes('SFI hot ')));
    });
  });
}

describe("the tray app's JavaScript compilers", () => {
  it('optimize a hot function and compile it to baseline code in a plain Node process (what the setting is for)', async () => {
    const compiled = await optimizedAfterHotLoop(false);
    expect(compiled.some((line) => line.includes('SFI hot ')), 'baseline').toBe(true);
    expect(compiled.some((line) => /completed (optimizing|compiling)/.test(line)), 'optimized').toBe(true);
  });

  it('leave every function to the interpreter, not even compiled to baseline code, once the app favours memory over speed', async () => {
    expect(await optimizedAfterHotLoop(true)).toEqual([]);
  });
});

describe("the tray app's start", () => {
  it('sets these flags before any code of its own bundle runs: out/main/index.js imports no chunk statically and awaits the rest after setting them', async () => {
    const entry = await readFile(resolve(import.meta.dirname, '../../out/main/index.js'), 'utf8');
    // A static import's module evaluates before the importing module's body, whatever its place.
    const staticImports = [...entry.matchAll(/\bimport\s*(?:[\w$]+\s*,?\s*)?(?:\{[^}]*\}\s*)?(?:\*\s*as\s+[\w$]+\s*)?(?:from\s*)?["'`]([^"'`]+)["'`]/g)].map((m) => m[1]);
    expect(staticImports).toContain('electron');
    expect(staticImports.filter((source) => source?.startsWith('.'))).toEqual([]);
    const flagsSet = ['--semi-space-growth-factor=1', '--no-opt', '--no-maglev', '--optimize-for-size'].map((flag) => entry.indexOf(flag));
    const restLoaded = entry.search(/\bimport\(\s*["'`]\.\/chunks\//);
    expect(flagsSet.every((at) => at >= 0), 'every flag is set in the entry').toBe(true);
    expect(restLoaded, 'the rest is loaded with import()').toBeGreaterThan(Math.max(...flagsSet));
    // Awaited at the top level: Electron emits `ready` only once the entry has evaluated, and the
    // composition root sets userData, takes the single-instance lock and registers app:// before it.
    expect(entry).toMatch(/\bawait\s+import\(\s*["'`]\.\/chunks\//);
  });
});


/**
 * A Node process that runs two thousand functions once, as a start-up burst runs every module's
 * top level, then has a full collection made either plainly or by the app's release, and prints
 * V8's bytecode-and-metadata size before and after, and whether the functions still answer the same.
 */
function codeAfterCollection(release: boolean): Promise<{ before: number; after: number; same: boolean }> {
  const script = `
    import { getHeapCodeStatistics, setFlagsFromString } from 'node:v8';
    import { runInNewContext } from 'node:vm';
    const count = 2000;
    const source = Array.from({ length: count }, (_, i) => 'function f' + i + '(x) { let s = x; for (let k = 0; k < 3; k++) s += k * ' + i + ' + (s >> 1); return s; }').join('\\n')
      + '\\nreturn [' + Array.from({ length: count }, (_, i) => 'f' + i).join(',') + '];';
    const functions = new Function(source)();
    const first = functions.map((f) => f(1));
    const code = () => getHeapCodeStatistics().bytecode_and_metadata_size;
    const before = code();
    if (${release}) (await import(${JSON.stringify(COLD_CODE)})).releaseColdCode();
    else { setFlagsFromString('--expose-gc'); runInNewContext('gc')({ type: 'major', execution: 'sync', flavor: 'last-resort' }); }
    const after = code();
    const again = functions.map((f) => f(1));
    console.log(JSON.stringify({ before, after, same: JSON.stringify(first) === JSON.stringify(again) }));
  `;
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout) => {
      if (error) reject(error);
      else resolvePromise(JSON.parse(stdout) as { before: number; after: number; same: boolean });
    });
  });
}

describe("the tray app's release after a burst", () => {
  it('is needed: a full collection alone keeps the code of functions that ran once', async () => {
    const { before, after } = await codeAfterCollection(false);
    expect(after).toBeGreaterThan(before * 0.75);
  });

  it('drops the code of functions that ran once, and they answer the same when called again', async () => {
    const { before, after, same } = await codeAfterCollection(true);
    expect(after).toBeLessThan(before * 0.25);
    expect(same).toBe(true);
  });
});
