import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

// The IPC contract (src/shared/contract.ts) is checked against what the handlers call by the
// compiler: src/main/ipc-handlers.ts returns a `Handlers`, one function per contract channel taking
// that channel's parsed payload and answering that channel's response, by calling the view-model's
// method (AppSession), which calls the façade (Rig). These probes compile the real handlers, the
// real view-model and the real façade with one drift each, in memory, and expect the compiler to
// refuse it where the two sides meet.
const ROOT = join(import.meta.dirname, '..', '..');
const HANDLERS = join(ROOT, 'src', 'main', 'ipc-handlers.ts');
const RESIZE_HANDLERS = join(ROOT, 'src', 'main', 'resize-handlers.ts');
const SESSION = join(ROOT, 'src', 'core', 'app', 'app-session.ts');
const SETTINGS_PART = join(ROOT, 'src', 'core', 'app', 'app-settings.ts');
const RIG_ACCOUNT = join(ROOT, 'src', 'core', 'app', 'rig-account.ts');
const RIG_APP = join(ROOT, 'src', 'core', 'app', 'rig-app.ts');

const options = (() => {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.node.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error('tsconfig.node.json could not be read');
  return config.options;
})();

let previous: ts.Program | undefined;

/** Type-checks the handlers with `edits` applied to the named files' text; returns the errors reported in the handlers file. */
function handlerErrors(edits: Readonly<Record<string, (text: string) => string>> = {}): string[] {
  return errorsIn([HANDLERS], edits);
}

/** Type-checks the handlers (and all they import) with `edits` applied; returns the errors reported in `files`. */
function errorsIn(files: readonly string[], edits: Readonly<Record<string, (text: string) => string>> = {}): string[] {
  const host = ts.createCompilerHost(options);
  const { getSourceFile, readFile } = host;
  const edited = (file: string, text: string): string => {
    const edit = edits[file];
    if (!edit) return text;
    const after = edit(text);
    if (after === text) throw new Error(`the edit of ${file} changed nothing: the probe no longer matches the file`);
    return after;
  };
  host.readFile = (file) => {
    const text = readFile.call(host, file);
    return text === undefined ? text : edited(file, text);
  };
  host.getSourceFile = (file, language, ...rest) =>
    edits[file] ? ts.createSourceFile(file, edited(file, readFileSync(file, 'utf8')), language) : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([HANDLERS], options, host, previous);
  previous = program;
  return files.flatMap((file) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')));
}

describe('the IPC handlers against the contract, by the compiler', () => {
  beforeAll(() => {
    // The handlers as they are compile: every refusal below comes from its drift alone.
    expect(handlerErrors()).toEqual([]);
  }, 120_000);

  it('refuses a contract channel without a handler', () => {
    const errors = handlerErrors({ [HANDLERS]: (text) => text.replace(/^ {4}'jupyter:open': .*\n/m, '') });
    expect(errors).toEqual([expect.stringMatching(/Property '"jupyter:open"' is missing .* required in type 'Handlers'/s)]);
  }, 120_000);

  it('refuses a handler for a channel the contract does not have', () => {
    const errors = handlerErrors({ [HANDLERS]: (text) => text.replace("    'view:get': () => session.view(),\n", "    'view:get': () => session.view(),\n    'view:peek': () => session.view(),\n") });
    expect(errors).toEqual([expect.stringMatching(/''view:peek'' does not exist in type 'Handlers'/)]);
  }, 120_000);

  it('refuses a handler that answers another channel\'s response', () => {
    const errors = handlerErrors({ [HANDLERS]: (text) => text.replace("'ssh:copy': () => session.copySshCommand(),", "'ssh:copy': () => session.openTerminal(),") });
    expect(errors.join('\n')).toMatch(/'copied' is missing/);
  }, 120_000);

  it('refuses a handler that reads a field its payload does not have', () => {
    const errors = handlerErrors({ [HANDLERS]: (text) => text.replace("'catalog:list': ({ region }) => session.listInstanceTypes(region),", "'catalog:list': ({ name }) => session.listInstanceTypes(name),") });
    expect(errors.join('\n')).toMatch(/Property 'name' does not exist/);
  }, 120_000);

  it('refuses a session method whose argument type drifts from the payload', () => {
    const errors = handlerErrors({
      [SESSION]: (text) => text.replace(
        'listInstanceTypes(region: string): Promise<InstanceTypeOption[]> { return this.account.listInstanceTypes(region); }',
        'listInstanceTypes(region: number): Promise<InstanceTypeOption[]> { return this.account.listInstanceTypes(String(region)); }',
      ),
    });
    expect(errors).toEqual([expect.stringMatching(/Argument of type 'string' is not assignable to parameter of type 'number'/)]);
  }, 120_000);

  it('refuses a session method whose result drifts from the response', () => {
    const errors = handlerErrors({
      [SESSION]: (text) => text.replace(
        'openTerminal(workstation?: string): Promise<{ terminal: string }> { return this.connectActions.openTerminal(workstation); }',
        'openTerminal(workstation?: string): Promise<string> { return this.connectActions.openTerminal(workstation).then((opened) => opened.terminal); }',
      ),
    });
    expect(errors.join('\n')).toMatch(/Type 'Promise<string>' is not assignable to type/);
  }, 120_000);

  it("refuses a Change type… channel whose view-model method's result drifts from the response", () => {
    const errors = errorsIn([RESIZE_HANDLERS], {
      [SESSION]: (text) => text.replace(
        'changeType(request: TypeChangeRequest): Promise<ResizeOutcomeView> { return this.lifecycle.changeType(request); }',
        'changeType(request: TypeChangeRequest): Promise<ResizePlanView> { return this.lifecycle.changeType(request).then((outcome) => outcome.plan); }',
      ),
    });
    expect(errors.join('\n')).toMatch(/Type 'Promise<ResizePlanView>' is not assignable to type/);
  }, 120_000);

  it("refuses a façade use case whose parameters drift from what the view-model passes it", () => {
    const errors = errorsIn([HANDLERS, SESSION, SETTINGS_PART], {
      [RIG_ACCOUNT]: (text) => text.replace(
        `  instanceTypes(region: string): Promise<InstanceTypeOption[]> {
    return listInstanceTypes(this.core, region);`,
        `  instanceTypes(region: { readonly name: string }): Promise<InstanceTypeOption[]> {
    return listInstanceTypes(this.core, region.name);`,
      ),
    });
    expect(errors).toEqual([expect.stringMatching(/Argument of type 'string' is not assignable to parameter of type '\{ readonly name: string; \}'/)]);
  }, 120_000);

  it("refuses a façade use case whose result drifts from what the view-model answers the channel", () => {
    const errors = errorsIn([HANDLERS, SESSION], {
      [RIG_APP]: (text) => text.replace(
        `  planTypeChange(name: string, instanceType: string, skipDriverCheck: boolean): Promise<ResizePlanView> {
    return planTypeChange(this.core, name, instanceType, skipDriverCheck);`,
        `  planTypeChange(name: string, instanceType: string, skipDriverCheck: boolean): Promise<string> {
    return planTypeChange(this.core, name, instanceType, skipDriverCheck).then((plan) => plan.to);`,
      ),
    });
    expect(errors.join('\n')).toMatch(/Type 'Promise<string>' is not assignable to type 'Promise<ResizePlanView>'/);
  }, 120_000);
});
