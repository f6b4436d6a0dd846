import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAst } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyRunsOnce, moduleBodyInFunction } from '../../scripts/main-bundle.mjs';
import { ensureAppBuilt } from '../e2e/support/build-app.js';

const ROOT = resolve(import.meta.dirname, '../..');
const COLD_CODE = pathToFileURL(join(ROOT, 'src/adapters/cold-code.ts')).href;
const moved = (code: string): string | null => moduleBodyInFunction(code, (source) => parseAst(source));

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-module-body-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs an ES module script in a child Node (this test's own, which runs TypeScript) and parses what it prints. */
function run<T>(script: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: dir }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolvePromise(JSON.parse(stdout) as T);
    });
  });
}

// Everything a chunk's body holds in the bundles Rolldown writes: imports, destructuring, classes
// with static initializers and `extends`, statements with their own scopes, a live binding that a
// function changes later, exports by name and a default expression.
const SAMPLE = `
import { log } from './log.mjs';
log('start');
const { a, b: [c, ...rest] } = { a: 1, b: [2, 3, 4] };
let counter = a + c;
export function bump() { counter += 1; return counter; }
class Base { static made = log('Base ' + counter); }
class Child extends Base { static kind = 'child:' + rest.join(','); }
var list = [a, c].map((x) => x * 2), twice = list.concat(list);
for (let i = 0; i < 2; i++) log('loop ' + i);
if (list.length) { log('if ' + typeof this); }
try { null.x; } catch { log('caught'); }
export { counter, Child, Base, list, twice, a, c };
export default list.length + a;
`;

const READER = (file: string): string => `
  const logged = [];
  globalThis.logged = logged;
  const m = await import('./${file}');
  const before = m.counter;
  const bumped = m.bump();
  console.log(JSON.stringify({ logged, before, bumped, after: m.counter, kind: m.Child.kind, base: m.Child.__proto__ === m.Base,
    list: m.list, twice: m.twice, a: m.a, c: m.c, default: m.default, keys: Object.keys(m).sort() }));
`;

describe("the app's chunks, each module body moved into a function called once", () => {
  it('run as written: the same effects in the same order, the same exports, live bindings still live', async () => {
    const transformed = moved(SAMPLE);
    expect(transformed).toContain('(()=>{');
    await writeFile(join(dir, 'log.mjs'), 'export function log(what) { globalThis.logged.push(what); return what; }\n');
    await writeFile(join(dir, 'as-written.mjs'), SAMPLE);
    await writeFile(join(dir, 'moved.mjs'), transformed ?? '');
    const asWritten = await run<Record<string, unknown>>(READER('as-written.mjs'));
    const inFunction = await run<Record<string, unknown>>(READER('moved.mjs'));
    expect(asWritten).toMatchObject({ before: 3, bumped: 4, after: 4, kind: 'child:3,4', default: 3 });
    expect(inFunction).toEqual(asWritten);
  });

  it('leave a body as it is when it awaits at the top, or declares a var inside a statement (it would belong to the function)', () => {
    expect(moved('const x = await Promise.resolve(1); export { x };')).toBeNull();
    expect(moved('for await (const x of []) {} export {};')).toBeNull();
    expect(moved('for (var i = 0; i < 2; i++) {} export { i };')).toBeNull();
    expect(moved('export const x = 1;')).toBeNull();
    // Nothing runs in a body of functions and imports: nothing to move.
    expect(moved('import { y } from "./y.mjs"; function f() { return y; } export { f };')).toBeNull();
    // A var inside a function, or an await inside an async function, is that function's own.
    expect(moved('const f = async () => { var z = await 1; return z; }; export { f };')).toContain('(()=>{');
  });

  /**
   * A child Node that imports a module with a large body (thousands of declarations, as the EC2
   * client's schemas are), then releases cold code as the app does after its start-up burst, and
   * prints V8's bytecode-and-metadata size.
   */
  async function codeKept(file: string): Promise<number> {
    return run(`
      import { getHeapCodeStatistics } from 'node:v8';
      const { releaseColdCode } = await import(${JSON.stringify(COLD_CODE)});
      ${file === '' ? '' : `await import('./${file}');`}
      releaseColdCode();
      console.log(getHeapCodeStatistics().bytecode_and_metadata_size);
    `);
  }

  it("lose their body's compiled code once the app releases cold code, which a module body as written keeps for good", async () => {
    const body = Array.from({ length: 6000 }, (_, i) => `var v${i} = [${i}, 'shape${i}', { member: ${i}, traits: [${i % 7}, 'x'] }];`).join('\n');
    const big = `${body}\nexport { v0, v5999 };\n`;
    await writeFile(join(dir, 'big-as-written.mjs'), big);
    await writeFile(join(dir, 'big-moved.mjs'), moved(big) ?? '');
    const nothing = await codeKept('');
    const asWritten = await codeKept('big-as-written.mjs');
    const inFunction = await codeKept('big-moved.mjs');
    const keptAsWritten = asWritten - nothing;
    const keptInFunction = inFunction - nothing;
    // Measured: about 113 KB kept as written, 240 bytes moved.
    expect(keptAsWritten, 'a module body as written keeps its bytecode').toBeGreaterThan(80_000);
    expect(keptInFunction, 'moved into a function, it is released').toBeLessThan(keptAsWritten / 10);
  });

  it('hold for every chunk of the built main process but its entry (which awaits the rest at its top)', { timeout: 120_000 }, async () => {
    await ensureAppBuilt(ROOT);
    const chunks = (await readdir(join(ROOT, 'out/main/chunks'))).filter((file) => file.endsWith('.js'));
    const asWritten: string[] = [];
    for (const file of chunks) {
      if (!bodyRunsOnce(parseAst(await readFile(join(ROOT, 'out/main/chunks', file), 'utf8')))) asWritten.push(file);
    }
    expect(chunks.length).toBeGreaterThan(10);
    expect(asWritten).toEqual([]);
  });
});
