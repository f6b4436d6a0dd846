import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Lints `code` as if it were the file at `path` (relative to the repo), with the repo's own config. */
async function lint(eslint: ESLint, path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

/** Type-checks `code` as a file in src/core with tsconfig.core.json; returns the error texts. */
function typecheckAsCore(code: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.core.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('tsconfig.core.json could not be read');
  const probe = join(ROOT, 'src', 'core', '__lint-probe__.ts');
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => file === probe || fileExists.call(host, file);
  host.readFile = (file) => (file === probe ? code : readFile.call(host, file));
  host.getSourceFile = (file, language, ...rest) =>
    file === probe ? ts.createSourceFile(file, code, language) : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([probe, join(ROOT, 'types', 'core-globals.d.ts')], config.options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(probe)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the layer rules refuse each way around them', () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  const forbidden: readonly (readonly [string, string, string, RegExp])[] = [
    ['core reads process.env', 'src/core/probe.ts', 'export const home = process.env.HOME;\n', /no-restricted-globals: .*process/],
    ['core uses Buffer', 'src/core/probe.ts', "export const bytes = Buffer.from('x');\n", /no-restricted-globals: .*Buffer/],
    ['core sets its own timer', 'src/core/probe.ts', 'export const t = setTimeout(() => undefined, 1);\n', /no-restricted-globals: .*setTimeout/],
    ['core reaches process through globalThis', 'src/core/probe.ts', 'export const env = globalThis.process;\n', /no-restricted-syntax: .*ports/],
    ['core imports node:fs statically', 'src/core/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", /no-restricted-imports/],
    ['core imports node:fs with import()', 'src/core/probe.ts', "export const fs = async () => await import('node:fs');\n", /no-restricted-syntax: src\/core is pure/],
    ['core imports the AWS SDK with import()', 'src/core/probe.ts', "export const ec2 = () => import('@aws-sdk/client-ec2');\n", /no-restricted-syntax: src\/core is pure/],
    ['core imports an adapter with import()', 'src/core/probe.ts', "export const c = () => import('../adapters/compose.js');\n", /no-restricted-syntax: src\/core is pure/],
    ['core imports a computed specifier', 'src/core/probe.ts', "const name = 'node:' + 'fs';\nexport const c = () => import(name);\n", /computed specifier/],
    ['shared imports core', 'src/shared/probe.ts', "import { Emitter } from '../core/emitter.js';\nexport const e = Emitter;\n", /no-restricted-imports/],
    ['shared uses console', 'src/shared/probe.ts', "console.log('x');\n", /no-restricted-globals: .*console/],
    ['main imports the CLI', 'src/main/probe.ts', "import { buildProgram } from '../cli/program.js';\nexport const p = buildProgram;\n", /no-restricted-imports/],
    ['main imports the CLI with import()', 'src/main/probe.ts', "export const p = () => import('../cli/program.js');\n", /no-restricted-syntax: The Electron shell never imports the CLI/],
    ['the CLI imports main', 'src/cli/probe.ts', "import { AppController } from '../main/app-controller.js';\nexport const a = AppController;\n", /no-restricted-imports/],
    ['the CLI imports electron with import()', 'src/cli/probe.ts', "export const e = () => import('electron');\n", /no-restricted-syntax/],
    ['main takes ipcMain by name outside the binding', 'src/main/probe.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n", /Bind IPC only/],
    ['main takes electron as a namespace', 'src/main/probe.ts', "import * as electron from 'electron';\nexport const i = electron.ipcMain;\n", /Import named members of electron/],
    ['main takes electron as a default import', 'src/main/probe.ts', "import electron from 'electron';\nexport const i = electron.ipcMain;\n", /Import named members of electron/],
    ['the renderer imports core', 'src/renderer/probe.ts', "import { trayModel } from '../core/tray-model.js';\nexport const t = trayModel;\n", /no-restricted-imports/],
    ['the preload imports an adapter with import()', 'src/preload/probe.ts', "export const a = () => import('../adapters/compose.js');\n", /no-restricted-syntax/],
    ['an adapter imports electron', 'src/adapters/probe.ts', "import { app } from 'electron';\nexport const a = app;\n", /no-restricted-imports/],
    ["the app's first module imports the composition before V8's memory settings are in force", 'src/main/start.ts', "import { createCore } from '../adapters/compose.js';\nexport const c = createCore;\n", /no-restricted-imports: .*The Electron shell/],
    ['a main file other than the root imports the composition', 'src/main/probe.ts', "import { createCore } from '../adapters/compose.js';\nexport const c = createCore;\n", /no-restricted-imports: .*The Electron shell/],
    ['main imports an adapter type', 'src/main/probe.ts', "import type { AwsAccess } from '../adapters/aws/client-config.js';\nexport type A = AwsAccess;\n", /no-restricted-imports/],
    ["main's composition root imports another adapter", 'src/main/index.ts', "import { resolveHome } from '../adapters/store/home.js';\nexport const h = resolveHome;\n", /no-restricted-imports/],
    ['a CLI command imports an adapter', 'src/cli/probe.ts', "import { FileReminderStore } from '../adapters/store/reminder-store.js';\nexport const s = FileReminderStore;\n", /no-restricted-imports: .*The CLI/],
    ['a CLI command loads the composition itself', 'src/cli/probe.ts', "export const c = () => import('../adapters/compose.js');\n", /no-restricted-syntax: The CLI/],
    ["the CLI's composition root loads another adapter with import()", 'src/cli/main.ts', "export const d = () => import('../adapters/aws/debug-log.js');\n", /no-restricted-syntax: The CLI/],
    ['an adapter imports electron-store', 'src/adapters/probe.ts', "import Store from 'electron-store';\nexport const s = Store;\n", /no-restricted-imports: .*electron-store/],
    ['an adapter loads electron-store with import()', 'src/adapters/store/probe.ts', "export const s = () => import('electron-store');\n", /no-restricted-syntax: .*electron-store/],
    ['the CLI imports electron-store', 'src/cli/probe.ts', "import Store from 'electron-store';\nexport const s = Store;\n", /no-restricted-imports: .*The CLI/],
    ["the CLI's composition root loads electron-store with import()", 'src/cli/main.ts', "export const s = () => import('electron-store');\n", /no-restricted-syntax: The CLI/],
    ['core imports electron-store', 'src/core/app/probe.ts', "import Store from 'electron-store';\nexport const s = Store;\n", /no-restricted-imports/],
    ['shared imports electron', 'src/shared/probe.ts', "import { app } from 'electron';\nexport const a = app;\n", /no-restricted-imports/],
    ['the renderer imports electron-store', 'src/renderer/probe.ts', "import Store from 'electron-store';\nexport const s = Store;\n", /no-restricted-imports/],
    ['domain code in core imports the application layer', 'src/core/probe.ts', "import { AppSession } from './app/app-session.js';\nexport const a = AppSession;\n", /no-restricted-imports: .*Domain code in src\/core never imports src\/core\/app/],
    ['domain code in core imports an application-layer type', 'src/core/probe.ts', "import type { CloudRigCore } from './app/cloudrig-core.js';\nexport type C = CloudRigCore;\n", /no-restricted-imports: .*Domain code in src\/core/],
    ['domain code in core loads the application layer with import()', 'src/core/probe.ts', "export const a = () => import('./app/app-session.js');\n", /no-restricted-syntax: Domain code in src\/core/],
    ['an adapter imports child_process at its top', 'src/adapters/terminal/probe.ts', "import { spawn } from 'node:child_process';\nexport const s = spawn;\n", /no-restricted-imports: .*keeps every built-in it loads/],
    ['an adapter loads zlib with import()', 'src/adapters/probe.ts', "export const z = async () => (await import('node:zlib')).gzipSync;\n", /no-restricted-syntax: .*keeps every built-in it loads/],
    ['main imports dns at its top', 'src/main/probe.ts', "import { lookup } from 'dns';\nexport const l = lookup;\n", /no-restricted-imports: .*keeps every built-in it loads/],
    ['an adapter reads process.env', 'src/adapters/probe.ts', 'export const home = process.env.HOME;\n', /no-restricted-properties: .*entry point/],
    ['an adapter takes env out of process', 'src/adapters/aws/probe.ts', 'const { env } = process;\nexport const region = env.AWS_REGION;\n', /no-restricted-properties: .*entry point/],
    ['a CLI command imports a use-case module behind the façade', 'src/cli/probe.ts', "import { costReport } from '../core/app/cost.js';\nexport const c = costReport;\n", /no-restricted-imports: .*through the façade only/],
    ['a CLI command imports the core the façade wraps', 'src/cli/probe.ts', "import type { CloudRigCore } from '../core/app/cloudrig-core.js';\nexport type C = CloudRigCore;\n", /no-restricted-imports: .*through the façade only/],
    ["the CLI's composition root loads a use case with import()", 'src/cli/main.ts', "export const c = () => import('../core/app/cost.js');\n", /no-restricted-syntax: .*through the façade only/],
    ['a CLI command imports domain code past the façade', 'src/cli/probe.ts', "import { formatUsd } from '../core/format.js';\nexport const f = formatUsd;\n", /no-restricted-imports: .*through the façade only/],
    ["the CLI's composition root loads domain code with import()", 'src/cli/main.ts', "export const v = () => import('../core/validate.js');\n", /no-restricted-syntax: .*through the façade only/],
    ['a CLI command reads process.env', 'src/cli/probe.ts', 'export const region = () => process.env.AWS_REGION;\n', /no-restricted-properties: .*entry point/],
    ["the CLI's composition writes process.env", 'src/cli/main.ts', "export const debug = () => { process.env.CLOUDRIG_DEBUG = '1'; };\n", /no-restricted-properties: .*entry point/],
    ['a CLI command leaves its exit code in process.exitCode', 'src/cli/probe.ts', 'export const fail = () => { process.exitCode = 1; };\n', /no-restricted-properties: .*Return the exit code/],
    ['a main file imports the view-model module behind its door', 'src/main/probe.ts', "import { AppSession } from '../core/app/app-session.js';\nexport const a = AppSession;\n", /no-restricted-imports: .*through its door only/],
    ['a main file imports the core the façade wraps', 'src/main/probe.ts', "import type { CloudRigCore } from '../core/app/cloudrig-core.js';\nexport type C = CloudRigCore;\n", /no-restricted-imports: .*through its door only/],
    ['a main file imports domain code past its door', 'src/main/probe.ts', "import { trayModel } from '../core/tray-model.js';\nexport const t = trayModel;\n", /no-restricted-imports: .*through its door only/],
    ["main's entry point imports a use case past its door", 'src/main/index.ts', "import { startWorkstation } from '../core/app/lifecycle.js';\nexport const s = startWorkstation;\n", /no-restricted-imports: .*through its door only/],
    ['a main file loads a use case with import()', 'src/main/probe.ts', "export const c = () => import('../core/app/cost.js');\n", /no-restricted-syntax: .*through its door only/],
    ["the tray app's view-model calls a use-case module instead of Rig", 'src/core/app/app-probe.ts', "import { stopWorkstation } from './lifecycle.js';\nexport const s = stopWorkstation;\n", /no-restricted-imports: .*view-model reaches the use cases through Rig/],
    ["the tray app's view-model builds a loop over the core itself", 'src/core/app/app-probe.ts', "import { Monitor } from './monitor.js';\nexport const m = Monitor;\n", /no-restricted-imports: .*view-model reaches the use cases through Rig/],
    ["the tray app's view-model holds the core the façade wraps", 'src/core/app/app-probe.ts', "import type { CloudRigCore } from './cloudrig-core.js';\nexport type C = () => CloudRigCore;\n", /no-restricted-imports: .*view-model reaches the use cases through Rig/],
    ["the tray app's view-model reaches behind the façade", 'src/core/app/app-probe.ts', "import { coreOf, Rig } from './rig.js';\nexport const x = [coreOf, Rig];\n", /no-restricted-imports: .*view-model reaches the use cases through Rig/],
    ['the shell below its entry point reads process.env', 'src/main/probe.ts', 'export const desktop = () => process.env.XDG_CURRENT_DESKTOP;\n', /no-restricted-properties: .*entry point/],
    ['the popover reads process.env', 'src/renderer/probe.tsx', 'export const mode = () => process.env.NODE_ENV;\n', /no-restricted-properties: .*entry point/],
    ['an adapter reaches the environment through globalThis', 'src/adapters/probe.ts', 'export const home = () => globalThis.process.env.HOME;\n', /no-restricted-properties: .*entry point/],
    ['the rig executable imports domain code past the façade', 'src/cli/rig.ts', "import { formatUsd } from '../core/format.js';\nexport const f = formatUsd;\n", /no-restricted-imports: .*through the façade only/],
    ["the app's first module imports domain code past its door", 'src/main/start.ts', "import { formatUsd } from '../core/format.js';\nexport const f = formatUsd;\n", /no-restricted-imports: .*through its door only/],
    ['the IPC binding imports domain code past its door', 'src/main/ipc-binding.ts', "import { formatUsd } from '../core/format.js';\nexport const f = formatUsd;\n", /no-restricted-imports: .*through its door only/],
    ['a CLI command loads a computed specifier', 'src/cli/probe.ts', "const name = '../core/' + 'format.js';\nexport const f = () => import(name);\n", /computed specifier/],
    ["the CLI's composition root loads a computed specifier", 'src/cli/main.ts', "const name = '../core/' + 'format.js';\nexport const f = () => import(name);\n", /computed specifier/],
    ['the shell loads a computed specifier', 'src/main/probe.ts', "const name = '../core/' + 'format.js';\nexport const f = () => import(name);\n", /computed specifier/],
    ["the app's entry point loads a computed specifier", 'src/main/index.ts', "const name = '../core/' + 'format.js';\nexport const f = () => import(name);\n", /computed specifier/],
    ['an adapter orders names with localeCompare', 'src/adapters/probe.ts', "export const order = (a: string, b: string): number => a.localeCompare(b);\n", /no-restricted-properties: .*byText/],
    ["the app's entry point orders names with localeCompare", 'src/main/index.ts', "export const order = (a: string, b: string): number => a.localeCompare(b);\n", /no-restricted-properties: .*byText/],
    ['the popover orders names with localeCompare', 'src/renderer/probe.tsx', "export const order = (a: string, b: string): number => a.localeCompare(b);\n", /no-restricted-properties: .*byText/],
  ];

  it.each(forbidden)('refuses: %s', async (_what, path, code, expected) => {
    const messages = await lint(eslint, path, code);
    expect(messages.join('\n')).toMatch(expected);
  });

  const allowed: readonly (readonly [string, string, string])[] = [
    ['core imports shared and another core module', 'src/core/probe.ts', "import { PHASES } from '../shared/workstation.js';\nimport { Emitter } from './emitter.js';\nexport const x = [PHASES, Emitter];\n"],
    ['core uses an AbortController', 'src/core/probe.ts', 'export const stop = new AbortController();\n'],
    ['an adapter loads ssh2 on first use', 'src/adapters/probe.ts', "export const ssh = async () => (await import('ssh2')).default;\n"],
    ["main's composition root imports named members of electron and the composition", 'src/main/index.ts', "import { app } from 'electron';\nimport { createCore } from '../adapters/compose.js';\nexport const x = [app, createCore];\n"],
    ['the binding takes ipcMain', 'src/main/ipc-binding.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n"],
    ["the CLI's composition root loads the composition on first use", 'src/cli/main.ts', "export const c = () => import('../adapters/compose.js');\n"],
    ['rig starts its early ssh probe before the composition', 'src/cli/rig.ts', "import { earlySshProbe } from '../adapters/early-ssh-probe.js';\nexport const p = earlySshProbe;\n"],
    ["the shell's app state store imports electron-store", 'src/main/app-state-store.ts', "import Store from 'electron-store';\nexport const s = Store;\n"],
    ['the application layer imports itself and domain code', 'src/core/app/probe.ts', "import { AppSession } from './app-session.js';\nimport { CloudRigError } from '../errors.js';\nexport const x = [AppSession, CloudRigError];\n"],
    ["the tray app's view-model builds a Rig, takes a session-level use case from face.js and a use case's result type", 'src/core/app/app-probe.ts', "import { Rig } from './rig.js';\nimport { watchStats } from './face.js';\nimport type { Monitor } from './monitor.js';\nimport type { CoreFactory } from './cloudrig-core.js';\nexport const x: [typeof Rig, typeof watchStats, Monitor | null, CoreFactory | null] = [Rig, watchStats, null, null];\n"],
    ['a CLI command imports the façade, and the domain rules it words through it', 'src/cli/probe.ts', "import { Rig, choiceReason, formatUsd } from '../core/app/face.js';\nexport const x = [Rig, choiceReason, formatUsd];\n"],
    ['the rig executable reads its environment once', 'src/cli/rig.ts', 'export const env = process.env;\n'],
    ["the app's entry point reads its environment once", 'src/main/index.ts', 'export const env = process.env;\n'],
    ['an adapter takes its environment as a parameter', 'src/adapters/probe.ts', 'export function region(env: Readonly<Record<string, string | undefined>>): string | undefined {\n  return env.AWS_REGION;\n}\n'],
    ['a main file imports the view-model, a port and the tray model through its door', 'src/main/probe.ts', "import { AppSession, toErrorInfo, type Notifier, type TrayModel } from '../core/app/app-face.js';\nexport const x: [Notifier | null, TrayModel | null, typeof AppSession, typeof toErrorInfo] = [null, null, AppSession, toErrorInfo];\n"],
    ["the app's first module sets V8's memory settings before the composition root", 'src/main/start.ts', "import '../adapters/memory-first.js';\nexport const load = () => import('./index.js');\n"],
    ["main's entry point imports the composition and the door", 'src/main/index.ts', "import { createCore } from '../adapters/compose.js';\nimport { toErrorInfo } from '../core/app/app-face.js';\nexport const x = [createCore, toErrorInfo];\n"],
  ];

  it.each(allowed)('accepts: %s', async (_what, path, code) => {
    expect(await lint(eslint, path, code)).toEqual([]);
  });
});

describe("the view-model rule knows every module that works over the core", () => {
  it('names each src/core/app module that mentions CloudRigCore (a new use case is refused to the view-model from its first line)', async () => {
    const { OVER_THE_CORE } = (await import(pathToFileURL(join(ROOT, 'eslint.config.js')).href)) as { OVER_THE_CORE: readonly string[] };
    const dir = join(ROOT, 'src', 'core', 'app');
    const overTheCore = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && !/^(app-|rig\.ts|face\.ts)/.test(file))
      .filter((file) => /\bCloudRigCore\b/.test(readFileSync(join(dir, file), 'utf8')))
      .map((file) => file.replace(/\.ts$/, ''));
    expect(overTheCore.length).toBeGreaterThan(20);
    expect(overTheCore.filter((name) => !OVER_THE_CORE.includes(name))).toEqual([]);
  });
});

describe("rig's code paths never reach the app's own state", () => {
  // The app keeps its own state (sealed keys, start at login, …) in <userData>/app-state.json through
  // electron-store; `rig` runs src/cli, src/core and src/adapters, and none of them may read it.
  const files = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => join(dir, file));

  it("no file in src/cli, src/core or src/adapters names the store, electron-store or Electron's userData folder", () => {
    const named = ['src/cli', 'src/core', 'src/adapters'].flatMap(files).filter((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      // The file and its name in electron-store; userData as Electron names it, and the home's
      // `electron` folder boot() puts it in.
      return /app-state\.json|['"]app-state['"]|electron-store|getPath\(|['"]electron['"]/.test(text);
    });
    expect(named).toEqual([]);
  });
});

describe('core and shared type-check without Node', () => {
  it('a core file that uses process, Buffer or setTimeout does not compile', () => {
    const errors = typecheckAsCore('export const a = process.env.HOME;\nexport const b = Buffer.from("x");\nexport const c = setTimeout(() => 0, 1);\n');
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/Cannot find name 'process'/),
      expect.stringMatching(/Cannot find name 'Buffer'/),
      expect.stringMatching(/Cannot find name 'setTimeout'/),
    ]));
  });

  it('a core file that uses the web-standard AbortController compiles', () => {
    expect(typecheckAsCore('export const stop = new AbortController();\nexport const aborted: boolean = stop.signal.aborted;\n')).toEqual([]);
  });
});
