import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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

describe('what `rig status` loads', () => {
  it('asks EC2 over http:// without compiling the undici that Node bundles (node:http is required, not imported)', async () => {
    expect((await world.rig(['up'])).code).toBe(0);
    const loaded = await builtinsLoadedBy(['status', '--json']);
    // The SDK did send its request through node:http, so the absence below is not vacuous.
    expect(loaded).toContain('NativeModule http');
    expect(loaded).not.toContain('NativeModule internal/deps/undici/undici');
  });
});
