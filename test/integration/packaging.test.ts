import { existsSync, type Stats } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAppBuilt } from '../e2e/support/build-app.js';
import { parse as parseYaml } from 'yaml';

// What `npm run dist` would put in the app, checked without running it (it needs the Electron and
// packager downloads): the app's files picked by electron-builder's own matcher from the `files`
// globs of electron-builder.yml, packed with @electron/asar as it packs them; the config checked
// by electron-builder's own schema validation; the macOS and Linux packaging inputs it names.
const ROOT = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  directories: { output: string; buildResources: string };
  files: string[];
  mac: { entitlements: string; entitlementsInherit: string; hardenedRuntime: boolean; extendInfo: Record<string, unknown> };
  deb: { appArmorProfile: string };
  linux: { target: Array<string | { target: string }> };
  [key: string]: unknown;
}

type Filter = (file: string, stat: Stats) => boolean;
interface AppBuilderFileMatcher {
  getMainFileMatchers(
    appDir: string, destination: string, expand: (text: string) => string, platformOptions: object,
    packager: { info: object }, outDir: string, isElectronCompile: boolean,
  ): Array<{ createFilter(): Filter }>;
}

const config = parseYaml(await readFile(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** The app's files as electron-builder selects them (node_modules are collected separately). */
async function appFiles(): Promise<string[]> {
  const { getMainFileMatchers } = require('app-builder-lib/out/fileMatcher.js') as AppBuilderFileMatcher;
  const debugLogger = { isEnabled: false, add: () => undefined };
  const info = { projectDir: ROOT, buildResourcesDir: resolve(ROOT, config.directories.buildResources), config, isPrepackedAppAsar: false, debugLogger };
  const matchers = getMainFileMatchers(ROOT, '/app', (text) => text, {}, { info }, resolve(ROOT, config.directories.output), false);
  const filters = matchers.map((matcher) => matcher.createFilter());
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir)) {
      const path = join(dir, entry);
      if (entry === '.git' || path === join(ROOT, 'node_modules')) continue;
      const info = await stat(path);
      if (!filters.some((filter) => filter(path, info))) continue;
      if (info.isDirectory()) await walk(path);
      else files.push(path);
    }
  };
  await walk(ROOT);
  return files;
}

let work: string;
let asarPath: string;
let listing: string[];

beforeAll(async () => {
  await ensureAppBuilt(ROOT);
  work = await mkdtemp(join(tmpdir(), 'cloudrig-asar-'));
  // A stale CLI build from an earlier `npm run build` must not ride along.
  await writeFile(join(ROOT, 'out', 'cli', 'stale-left-over.mjs'), '// an old rig build\n').catch(() => undefined);
  const files = await appFiles();
  const asar = await import('@electron/asar');
  asarPath = join(work, 'app.asar');
  await asar.createPackageFromFiles(ROOT, asarPath, files);
  listing = asar.listPackage(asarPath, { isPack: false }).map((entry) => entry.split(sep).join('/'));
}, 120_000);

afterAll(async () => {
  await rm(join(ROOT, 'out', 'cli', 'stale-left-over.mjs'), { force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packaged app (electron-builder.yml files → app.asar)', () => {
  it('holds main, preload, the renderer and package.json, each as built', async () => {
    const asar = await import('@electron/asar');
    expect(listing).toEqual(expect.arrayContaining(['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']));
    expect(listing.some((entry) => /^\/out\/renderer\/assets\/.+\.js$/.test(entry))).toBe(true);
    expect(asar.extractFile(asarPath, 'out/main/index.js').toString()).toBe(await readFile(join(ROOT, 'out/main/index.js'), 'utf8'));
    const manifest = JSON.parse(asar.extractFile(asarPath, 'package.json').toString()) as { main: string; type: string };
    expect(listing).toContain(`/${manifest.main}`);
    expect(manifest.type).toBe('module');
  });

  it('holds the tray icons each OS loads (templates for macOS, an ICO for Windows, panel sizes for Linux) and the app icon', () => {
    for (const state of ['stopped', 'starting', 'ready', 'stopping', 'error']) {
      for (const file of [`${state}Template.png`, `${state}Template@2x.png`, `${state}.ico`, `${state}-22.png`, `${state}-24.png`, `${state}-32.png`]) {
        expect(listing).toContain(`/resources/tray/${file}`);
      }
    }
    expect(listing).toContain('/resources/icon.png');
  });

  it('holds no CLI, sources, tests, source maps or packaging inputs', () => {
    const unwanted = listing.filter((entry) =>
      entry.startsWith('/out/cli') || entry.startsWith('/src') || entry.startsWith('/test') || entry.startsWith('/resources/build')
      || entry.endsWith('.map') || entry.endsWith('.ts') || entry.includes('electron-builder.yml') || entry.startsWith('/dist'));
    expect(unwanted).toEqual([]);
    // Everything in it is under out/ (the three builds), resources/ (icons) or package.json.
    expect(listing.filter((entry) => !/^\/(out(\/(main|preload|renderer)(\/.*)?)?|resources(\/(tray(\/.*)?|icon\.png))?|package\.json)$/.test(entry))).toEqual([]);
  });

  it('bundles main\'s dependencies: the ESM main and its chunks import nothing but Electron, and require Node\'s built-ins', async () => {
    // Dependencies loaded from node_modules would be the SDK's CommonJS build (every command and
    // shape of each client) and all of zod: twice the watcher's memory (docs/benchmarks.md).
    const files = ['index.js', ...(await readdir(join(ROOT, 'out/main/chunks'))).map((file) => `chunks/${file}`)].filter((file) => file.endsWith('.js'));
    const specifiers = new Set<string>();
    let all = '';
    for (const file of files) {
      const code = await readFile(join(ROOT, 'out/main', file), 'utf8');
      all += code;
      for (const match of code.matchAll(/(?:^|[\s;}])(?:import|export)\s*(?:[\w*${}\s,]+from\s*)?["']([^"'./][^"']*)["']|import\(\s*["']([^"'./][^"']*)["']\s*\)/gm)) {
        specifiers.add(match[1] ?? match[2] ?? '');
      }
    }
    expect(specifiers).toContain('electron');
    expect([...specifiers].filter((specifier) => specifier !== 'electron' && !specifier.startsWith('node:') && !builtinModules.includes(specifier))).toEqual([]);
    // Node's built-ins are required, not imported: an ES-module facade reads every export of its
    // module (node:http's compiles undici). node:module itself provides the require.
    expect([...specifiers].filter((specifier) => specifier.startsWith('node:') && specifier !== 'node:module')).toEqual([]);
    expect(all.match(/\bimport\(\s*["'`]node:[^"'`]+["'`]\s*\)/g) ?? []).toEqual([]);
    // Bundled as `rig` is: EC2's shapes that no command of the app reaches, and zod's locales, left out.
    // conf's JSON-schema validator and semver, which CloudRig never asks conf to use, left out too.
    const kept = {
      DescribeInstancesRequest: all.includes('DescribeInstancesRequest'),
      WithdrawByoipCidrResult: all.includes('WithdrawByoipCidrResult'),
      zodGerman: all.includes('Zeichen'),
      ajv: all.includes('ajv/dist/runtime'),
    };
    expect(kept).toEqual({ DescribeInstancesRequest: true, WithdrawByoipCidrResult: false, zodGerman: false, ajv: false });
    // One character above U+00FF would make V8 keep a chunk's whole source two bytes a character.
    expect([...new Set(all.match(/[\u0100-\uffff]/g) ?? [])]).toEqual([]);
  });
});

describe('the popover\'s bundle', () => {
  it('carries no zod: main checks every IPC payload, and the helpers the popover shares with the core live apart from the schemas', async () => {
    const assets = (await readdir(join(ROOT, 'out/renderer/assets'))).filter((file) => file.endsWith('.js'));
    expect(assets).not.toEqual([]);
    for (const file of assets) expect(await readFile(join(ROOT, 'out/renderer/assets', file), 'utf8'), file).not.toContain('_zod');
  });
});

describe('the electron-builder configuration', () => {
  it('passes electron-builder\'s own schema validation', { timeout: 60_000 }, async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(config: object, debugLogger: object): Promise<void>;
    };
    const debugLogger = { isEnabled: false, add: () => undefined };
    await expect(validateConfiguration(config, debugLogger)).resolves.toBeUndefined();
    // The same validator refuses a misspelt option (so the pass above means something).
    await expect(validateConfiguration({ ...config, mac: { ...config.mac, entitlementz: 'x' } }, debugLogger)).rejects.toThrow(/configuration\.mac should be/);
  });

  it('signs macOS with the hardened runtime, Apple Events and JIT entitlements, and alert-style notifications', async () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    const { XMLParser } = await import('fast-xml-parser');
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      expect(existsSync(join(ROOT, file))).toBe(true);
      const plist = new XMLParser().parse(await readFile(join(ROOT, file), 'utf8')) as { plist: { dict: { key: string[]; true: string | string[] } } };
      const keys = plist.plist.dict.key;
      expect(keys).toEqual(['com.apple.security.automation.apple-events', 'com.apple.security.cs.allow-jit']);
    }
    expect(config.mac.extendInfo).toMatchObject({
      LSUIElement: true,
      NSUserNotificationAlertStyle: 'alert',
      NSAppleEventsUsageDescription: expect.stringMatching(/Terminal/),
    });
  });

  it('builds for Linux only what starts on Ubuntu 24.04: the deb, not an AppImage that aborts there', () => {
    // An AppImage runs from a FUSE mount under a path no AppArmor profile names, so Ubuntu 24.04
    // refuses Chromium's sandbox its user namespaces and the app aborts at start.
    const targets = config.linux.target.map((target) => (typeof target === 'string' ? target : target.target));
    expect(targets).toEqual(['deb']);
  });

  it('ships the Linux deb with an AppArmor profile that gives CloudRig\'s binary its user namespaces', async () => {
    const profile = await readFile(join(ROOT, config.deb.appArmorProfile), 'utf8');
    expect(relative(join(ROOT, config.directories.buildResources), join(ROOT, config.deb.appArmorProfile))).not.toMatch(/^\.\./);
    expect(profile).toMatch(/^abi <abi\/4\.0>,$/m);
    expect(profile).toMatch(/^profile cloudrig "\/opt\/\$\{sanitizedProductName\}\/\$\{executable\}" flags=\(unconfined\) \{$/m);
    expect(profile).toMatch(/^ {2}userns,$/m);
    // electron-builder's default after-install script installs resources/apparmor-profile when AppArmor runs.
    const afterInstall = await readFile(require.resolve('app-builder-lib/templates/linux/after-install.tpl'), 'utf8');
    expect(afterInstall).toContain("APPARMOR_PROFILE_SOURCE='/opt/${sanitizedProductName}/resources/apparmor-profile'");
    expect(config.deb).not.toHaveProperty('afterInstall');
  });
});
