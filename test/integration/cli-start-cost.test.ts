import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';

// What a `rig status` process loads is part of what it costs to start (DESIGN.md: ≤ 0.5× the AWS
// CLI). Checked on the built executable, against moto behind the cloud proxy (an http:// endpoint,
// as for LocalStack) and a running workstation whose sshd answers.
const world = useRigWorld({ eachTest: { init: true } });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-loaded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `rig ARGS` as its own process and returns the Node built-in modules it loaded. */
async function builtinsLoadedBy(args: readonly string[]): Promise<string[]> {
  const list = join(dir, `loaded-${Date.now()}.json`);
  const reporter = join(dir, 'report-loaded.mjs');
  await writeFile(reporter, "process.on('exit', () => process.getBuiltinModule('node:fs').writeFileSync(process.env.LOADED_LIST, JSON.stringify(process.moduleLoadList)));\n");
  const result = await world.rig(args, { process: true, env: { NODE_OPTIONS: `--import=${pathToFileURL(reporter).href}`, LOADED_LIST: list } });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(await readFile(list, 'utf8')) as string[];
}

/** The packages of the spinner (ora) and of the confirmation prompt, dependencies included. */
const SPINNER_AND_PROMPT = ['ora', 'chalk', 'cli-spinners', 'log-symbols', 'is-unicode-supported', 'stdin-discarder', 'string-width',
  '@inquirer/confirm', '@inquirer/core', '@inquirer/figures', 'yoctocolors', 'mute-stream', 'cli-width'];

/** V8's coverage of one script: each function's whole range comes first, with its call count. */
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly { readonly startOffset: number; readonly count: number }[] }[];
}

/**
 * Runs `rig ARGS` as its own process with V8's coverage on, and returns the packages (and `src`)
 * of every bundled function that ran at least once, found through the bundle's source maps.
 */
async function packagesThatRan(args: readonly string[]): Promise<Set<string>> {
  const coverage = await mkdtemp(join(dir, 'coverage-'));
  const result = await world.rig(args, { process: true, env: { NODE_V8_COVERAGE: coverage } });
  expect(result.code, result.stderr).toBe(0);
  const ran = new Set<string>();
  for (const file of await readdir(coverage)) {
    const scripts = (JSON.parse(await readFile(join(coverage, file), 'utf8')) as { result: ScriptCoverage[] }).result;
    for (const script of scripts.filter((s) => s.url.startsWith('file:') && s.url.includes('/out/cli/'))) {
      const path = fileURLToPath(script.url);
      const map = new SourceMap(JSON.parse(await readFile(`${path}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
      const text = await readFile(path, 'utf8');
      const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
      for (const fn of script.functions) {
        const whole = fn.ranges[0];
        // Offset 0 is the chunk's own top level, which always runs.
        if (!whole || whole.count === 0 || whole.startOffset === 0) continue;
        const line = lineStarts.findLastIndex((start) => start <= whole.startOffset);
        const entry = map.findEntry(line, whole.startOffset - (lineStarts[line] ?? 0));
        if (!('originalSource' in entry)) continue;
        ran.add(/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(entry.originalSource)?.[1] ?? 'src');
      }
    }
  }
  return ran;
}

describe('what `rig status` loads', () => {
  it('asks EC2 over http:// without compiling the undici that Node bundles (node:http is required, not imported)', async () => {
    expect((await world.rig(['up'])).code).toBe(0);
    const loaded = await builtinsLoadedBy(['status', '--json']);
    // The SDK did send its request through node:http, so the absence below is not vacuous.
    expect(loaded).toContain('NativeModule http');
    expect(loaded).not.toContain('NativeModule internal/deps/undici/undici');
  });

  it('runs no code of the terminal spinner or of the confirmation prompt: neither can show with --json', async () => {
    expect((await world.rig(['up'])).code).toBe(0);
    const ran = await packagesThatRan(['status', '--json']);
    // The coverage is read right: the option parser and the ssh probe did run.
    expect(ran).toContain('commander');
    expect(ran).toContain('ssh2');
    expect(SPINNER_AND_PROMPT.filter((name) => ran.has(name))).toEqual([]);
  });

  it('carries no JSON-schema validator for the settings library: zod checks the settings, so ajv and semver are not bundled', async () => {
    const outDir = join(process.cwd(), 'out', 'cli');
    const maps = [join(outDir, 'rig.mjs.map'), ...(await readdir(join(outDir, 'chunks'))).filter((f) => f.endsWith('.map')).map((f) => join(outDir, 'chunks', f))];
    const bundled = new Set<string>();
    for (const path of maps) {
      for (const source of (JSON.parse(await readFile(path, 'utf8')) as { sources: string[] }).sources) {
        const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
        if (name) bundled.add(name);
      }
    }
    // The source maps are read right: the settings library itself is bundled.
    expect(bundled).toContain('conf');
    expect(['ajv', 'ajv-formats', 'fast-uri', 'semver'].filter((name) => bundled.has(name))).toEqual([]);
  });

  it("carries ssh2 without its WebAssembly Poly1305, in rig's bundle and in the app's main: nothing compiles WebAssembly at the first ssh connection", async () => {
    const bundles = async (outDir: string): Promise<string> => {
      const files = [...(await readdir(outDir)).filter((f) => f.endsWith('.js') || f.endsWith('.mjs')).map((f) => join(outDir, f)),
        ...(await readdir(join(outDir, 'chunks'))).filter((f) => f.endsWith('.js') || f.endsWith('.mjs')).map((f) => join(outDir, 'chunks', f))];
      return (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    };
    for (const outDir of [join(process.cwd(), 'out', 'cli'), join(process.cwd(), 'out', 'main')]) {
      const code = await bundles(outDir);
      // ssh2 is there (its cipher table names the cipher), its Poly1305 module is the stand-in,
      // and no WebAssembly binary (`\0asm`, base64 AGFzbQ) is embedded.
      expect(code, outDir).toContain('chacha20-poly1305@openssh.com');
      expect(code, outDir).toContain('ssh2 was bundled without Poly1305');
      expect(code, outDir).not.toContain('base64,AGFzbQ');
    }
  });
});
