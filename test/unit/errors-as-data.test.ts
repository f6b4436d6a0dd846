import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Errors are data: a CloudRigError carries a structured fix that each face words for its user (the
// CLI names a command, the app names where to click). So no fix is free text, and nothing in
// src/core or src/shared (which both faces show) names a `rig` command, a flag or a popover button;
// only the two wording modules do. (src/shared/same-fix-wording.ts words what both faces say alike,
// so it is checked like the rest.)

const ROOT = join(import.meta.dirname, '..', '..');

/** The files that word fixes for a face: the only ones in src/core and src/shared that may name a face's words. */
const WORDING_MODULES = new Set(['src/cli/fix-wording.ts', 'src/shared/app-fix-wording.ts']);

/**
 * The tray app's own models, pure and so in src/core (DESIGN.md: "tray model, notification policy"):
 * their words are the tray menu's labels and the app's notifications, shown by no other face. They
 * may name the app's buttons; a `rig` command or flag is still refused there. The Linux autostart
 * entry is the app's too: its Comment is what the desktop's startup list shows for the tray app.
 */
const APP_MODELS = new Set(['src/core/tray-model.ts', 'src/core/notification-policy.ts', 'src/core/autostart-entry.ts']);

/** Literals that are commands run on the workstation, not words to the user: their flags are the remote tool's. */
const BOX_COMMANDS: readonly (readonly [string, string])[] = [
  ['src/core/app/tunnels.ts', 'jupyter server list --json'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => [dir, ...file.split(/[\\/]/)].join('/'));
}

/** The CLI's subcommands and long flags, read from `.command('…')`, `.option('--…')` and `new Option('--…')` in src/cli. */
function cliVocabulary(): { commands: string[]; flags: string[] } {
  const commands = new Set<string>();
  const flags = new Set<string>();
  for (const path of sourceFiles('src/cli')) {
    const source = ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
        const method = node.expression.name.text;
        const first = node.arguments[0].text;
        if (method === 'command') commands.add(first.split(' ')[0]!);
        if (method === 'option' || method === 'requiredOption') for (const flag of first.match(/--[a-z][a-z-]*/g) ?? []) flags.add(flag);
      }
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Option' && node.arguments?.[0] && ts.isStringLiteralLike(node.arguments[0])) {
        for (const flag of node.arguments[0].text.match(/--[a-z][a-z-]*/g) ?? []) flags.add(flag);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  // `rig complete` is wired outside commander's tree; `--help` and `--version` are commander's own.
  commands.add('complete');
  flags.add('--help');
  flags.add('--version');
  return { commands: [...commands], flags: [...flags] };
}

/** The words only one face can show, as patterns over a string literal's text. */
interface FaceWords {
  /** A `rig` command or flag: one face's words. */
  readonly commands: readonly (readonly [string, RegExp])[];
  /** How the app is clicked: the other face's words. */
  readonly popover: readonly (readonly [string, RegExp])[];
}

function faceWords(vocabulary: { commands: readonly string[]; flags: readonly string[] }): FaceWords {
  const escape = (word: string): string => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    commands: [
      ...vocabulary.commands.map((command) => [`rig ${command}`, new RegExp(`\\brig ${escape(command)}\\b`)] as const),
      ...vocabulary.flags.map((flag) => [flag, new RegExp(`(^|[^\\w-])${escape(flag)}(?![\\w-])`)] as const),
      // A command put together: `rig ${command}`, 'rig ' + command (the literal ends where the command is computed).
      ['rig before a computed command', /\brig\s*$/],
      // The CLI by its name, with or without a command ("CloudRig", "trigger" and "rigged" are other words).
      ['rig', /\brig\b/],
      // A short flag the user is told to give ("pass -y"); a bare one is everywhere in the shell scripts core sends to the box.
      ['a short flag to give', /\b(pass|passing|add|adding|drop|use|with|give|append)\s+`?-[a-zA-Z](?![\w-])/i],
    ],
    popover: [
      // The popover's words: how to reach a button, and the labels of its buttons (a key is pressed in any face).
      ['click', /\bclick/i],
      ['press', /\bpress(es|ed)?\b(?! (Enter|Return|Ctrl|a key|any key))/i],
      ['popover', /\bpopover\b/i],
      ['tray menu', /\btray menu\b/i],
      ['tray', /\btray\b/i],
      ['menu', /\bmenus?\b/i],
      // The app's window, not a window of time ("the billing window") or a terminal's AppleScript ("in window 1").
      ['window', /\b(the|this|that|CloudRig|CloudRig's|app|app's|main|settings|popover|other) window\b/i],
      ['dialog', /\bdialogs?\b/i],
      ['select', /\bselect(s|ed|ing)?\b/i],
      ['button', /\bbutton\b/i],
      ['Settings → (or >, ->)', /\bSettings\s*(→|->|>|›)/i],
      // The settings as a place the user goes; "settings.json", "the settings file" and "its settings" (a workstation's) are data.
      ['settings as a place', /\b(in|from|open|under|into|to) (the |your )?settings\b(?!\.\w| file)/i],
      ['a button label ending in …', /\b(Terminate|Change type|Change|Open|Settings)…/],
      ['Open terminal', /\bOpen terminal\b/],
      ['Open Jupyter', /\bOpen Jupyter\b/],
      ['Save image', /\bSave image\b/],
      // A button named as the one who acts: "Start launches it", "Refresh shows it".
      ['a button as the subject', /\b(Start|Stop|Launch|Refresh|Forget|Archive|Push now) (launches|starts|stops|keeps|waits|tries|ends|shows|opens|saves)\b/],
      ['Copy the ssh command', /\bCopy (the )?ssh command\b/i],
    ],
  };
}

/** One rule broken at one place: `file:line: what`. */
type Violation = string;

const STRING_METHODS = new Set(['join', 'replace', 'replaceAll', 'trim', 'concat', 'toString', 'slice', 'padEnd', 'padStart', 'toLowerCase', 'toUpperCase', 'repeat', 'format']);

/** Whether an expression given as a fix is structured: an object literal, a fix builder's call, or a Fix value passed on. */
function structuredFix(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node)) return structuredFix(node.expression);
  if (ts.isConditionalExpression(node)) return structuredFix(node.whenTrue) && structuredFix(node.whenFalse);
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    return (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && structuredFix(node.left) && structuredFix(node.right);
  }
  if (ts.isObjectLiteralExpression(node)) return true;
  if (ts.isCallExpression(node)) {
    if (ts.isIdentifier(node.expression)) return node.expression.text !== 'String';
    if (ts.isPropertyAccessExpression(node.expression)) return !STRING_METHODS.has(node.expression.name.text);
    return false;
  }
  return ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node);
}

/** The lines of `source` (the file at `path`, relative to the repo) that break the errors-as-data rules. */
function errorsAsDataViolations(path: string, source: string, words: FaceWords): Violation[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Violation[] = [];
  const at = (node: ts.Node, what: string): void => {
    found.push(`${path}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${what}`);
  };
  const sharedOrCore = (path.startsWith('src/core/') || path.startsWith('src/shared/')) && !WORDING_MODULES.has(path);
  const visit = (node: ts.Node): void => {
    // A CloudRigError's fix (its third argument) is structured.
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'CloudRigError') {
      const fix = node.arguments?.[2];
      if (fix && !structuredFix(fix)) at(fix, `CloudRigError with a free-text fix: ${fix.getText(file).slice(0, 80)}`);
    }
    // No free-text fix step, by its old name or a helper of that name.
    if (ts.isPropertyAssignment(node) && node.name.getText(file) === 'action' && ts.isStringLiteralLike(node.initializer) && node.initializer.text === 'advice') {
      at(node, "a free-text fix step (action 'advice')");
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'advice') at(node, 'a free-text fix helper: advice(…)');
    if ((ts.isFunctionDeclaration(node) || ts.isVariableDeclaration(node)) && node.name && ts.isIdentifier(node.name) && node.name.text === 'advice') {
      at(node, 'a free-text fix helper is declared: advice');
    }
    if (ts.isCallExpression(node) && node.getText(file).startsWith('z.literal(') && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0]) && node.arguments[0].text === 'advice') {
      at(node, "a free-text fix action in the schema: 'advice'");
    }
    // Face words in what core and shared say (comments are not literals, so they are not read).
    if (sharedOrCore && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node))) {
      const moduleName = ts.isStringLiteral(node) && (ts.isImportDeclaration(node.parent) || ts.isExportDeclaration(node.parent) || ts.isExternalModuleReference(node.parent) || ts.isLiteralTypeNode(node.parent));
      // A kebab-case identifier ('show-popover') or an IPC channel ('window:hide') is a value the faces act on, not a word they show.
      const identifier = /^[a-z0-9]+(-[a-z0-9]+)+$/.test(node.text) || /^[a-z]+:[a-z]+(-[a-z]+)*$/.test(node.text);
      const boxCommand = BOX_COMMANDS.some(([file, command]) => file === path && node.text.startsWith(command));
      if (!moduleName && !identifier && !boxCommand) {
        const patterns = APP_MODELS.has(path) ? words.commands : [...words.commands, ...words.popover];
        for (const [word, pattern] of patterns) if (pattern.test(node.text)) at(node, `face word "${word}" in ${JSON.stringify(node.text.slice(0, 100))}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const WORDS = faceWords(cliVocabulary());
const check = (path: string, source: string): Violation[] => errorsAsDataViolations(path, source, WORDS);

describe('errors are data in every file under src/', () => {
  it("reads the CLI's subcommands and flags from its source", () => {
    const { commands, flags } = cliVocabulary();
    expect(commands).toEqual(expect.arrayContaining(['init', 'up', 'ssh', 'status', 'stop', 'down', 'tunnel', 'jupyter', 'push', 'doctor', 'resize', 'archive']));
    expect(flags).toEqual(expect.arrayContaining(['--name', '--type', '--cidr', '--yes', '--json', '--save-image', '--timeout', '--request-quota']));
  });

  it('no CloudRigError has a free-text fix, no free-text fix helper is left, and src/core and src/shared name no command, flag or button', () => {
    const files = ['src'].flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((path) => check(path, readFileSync(join(ROOT, path), 'utf8')));
    expect(found).toEqual([]);
  });
});

describe('the errors-as-data check refuses each way around it', () => {
  const refused: readonly (readonly [string, string, string, RegExp])[] = [
    ['a string fix', 'src/adapters/probe.ts', "throw new CloudRigError('SftpFailed', 'It failed.', 'Try again.');\n", /free-text fix: 'Try again\.'/],
    ['a template fix', 'src/cli/probe.ts', 'throw new CloudRigError(\'NoSsh\', \'x\', `Run rig up ${name}.`);\n', /free-text fix: `Run rig up/],
    ['a joined fix', 'src/main/probe.ts', "throw new CloudRigError('Unexpected', 'x', 'Run ' + command);\n", /free-text fix: 'Run ' \+ command/],
    ['a fix made of strings by a condition', 'src/core/probe.ts', "throw new CloudRigError('Busy', 'x', busy ? 'Wait.' : { action: 'report-bug' });\n", /free-text fix/],
    ['a fix built by a string method', 'src/core/probe.ts', "throw new CloudRigError('Busy', 'x', lines.join(' '));\n", /free-text fix/],
    ['a free-text step', 'src/renderer/probe.tsx', "export const e = { code: 'Unexpected', message: 'x', fix: { action: 'advice', text: 'Try again.' } };\n", /action 'advice'/],
    ['a free-text helper called', 'src/main/probe.ts', "export const e = { code: 'Unexpected', message: 'x', fix: advice('Restart.') };\n", /advice\(…\)/],
    ['a free-text helper declared', 'src/shared/probe.ts', "export function advice(text: string) { return text; }\n", /helper is declared/],
    ['a free-text action in the schema', 'src/shared/probe.ts', "export const S = z.object({ action: z.literal('advice'), text });\n", /action in the schema/],
    ['a rig command in a core message', 'src/core/probe.ts', "export const m = 'It is stopped. Start it with `rig up`.';\n", /face word "rig up"/],
    ['a rig command in a template in shared', 'src/shared/probe.ts', 'export const m = (port: number) => `Open it with rig tunnel ${port}.`;\n', /face word "rig tunnel"/],
    ['a flag in a core message', 'src/core/app/probe.ts', "export const m = 'Pass --save-image to keep the disk.';\n", /face word "--save-image"/],
    ['a popover word in a core message', 'src/core/probe.ts', "export const m = 'Open it again from the popover.';\n", /face word "popover"/],
    ['a click in shared', 'src/shared/probe.ts', "export const m = 'Click Start.';\n", /face word "click"/],
    ['a button label in core', 'src/core/probe.ts', "export const m = 'Use Terminate… to end it.';\n", /face word "a button label/],
    ['the tray menu in core', 'src/core/probe.ts', "export const m = 'Pick it in the tray menu.';\n", /face word "tray menu"/],
    ['a button that acts in core', 'src/core/probe.ts', "export const m = 'Archived: Start launches it from the image.';\n", /face word "a button as the subject"/],
    ['the Save image button in core', 'src/core/app/probe.ts', "export const m = 'Setup finished — Save image so the next launch starts ready.';\n", /face word "Save image"/],
    ['a rig command in the tray model', 'src/core/tray-model.ts', "export const m = 'Stop it with rig stop.';\n", /face word "rig stop"/],
    ['a flag in a command run on the box but another one', 'src/core/app/tunnels.ts', "export const m = 'Pass --yes.';\n", /face word "--yes"/],
    ['a rig command put together in a template', 'src/core/probe.ts', 'export const m = (command: string) => `Run rig ${command} again.`;\n', /face word "rig before a computed command"/],
    ['a rig command put together with +', 'src/shared/probe.ts', "export const m = (command: string) => 'Run rig ' + command + '.';\n", /face word "rig before a computed command"/],
    ['rig by name in core', 'src/core/probe.ts', "export const m = 'Another rig holds the lock.';\n", /face word "rig"/],
    ['rig by name in the tray model', 'src/core/tray-model.ts', "export const m = 'Changed by rig';\n", /face word "rig"/],
    ['a short flag to give in core', 'src/core/app/probe.ts', "export const m = 'Pass -y to skip the question.';\n", /face word "a short flag to give"/],
    ['the menu in core', 'src/core/probe.ts', "export const m = 'Stop it from the menu.';\n", /face word "menu"/],
    ['the tray in shared', 'src/shared/probe.ts', "export const m = 'It keeps running in the tray.';\n", /face word "tray"/],
    ['the window in core', 'src/core/probe.ts', "export const m = 'Close the window to hide it.';\n", /face word "window"/],
    ['a dialog in core', 'src/core/app/probe.ts', "export const m = 'There is no folder dialog here.';\n", /face word "dialog"/],
    ['select in shared', 'src/shared/probe.ts', "export const m = 'Select the region you want.';\n", /face word "select"/],
    ['Settings > in core', 'src/core/probe.ts', "export const m = 'Open Settings > Workstation.';\n", /face word "Settings → \(or >, ->\)"/],
    ['Settings -> in core', 'src/core/probe.ts', "export const m = 'Change it in Settings -> App.';\n", /face word "Settings → \(or >, ->\)"/],
    ['the settings as a place in core', 'src/core/probe.ts', "export const m = 'Raise the budget in settings to keep going.';\n", /face word "settings as a place"/],
    ['the Settings… item in core', 'src/core/probe.ts', "export const m = 'Use Settings… to change it.';\n", /face word "a button label ending in …"/],
  ];

  it.each(refused)('refuses: %s', (_what, path, source, expected) => {
    expect(check(path, source).join('\n')).toMatch(expected);
  });

  const accepted: readonly (readonly [string, string, string])[] = [
    ['a structured fix', 'src/core/probe.ts', "throw new CloudRigError('NoSsh', 'x', { action: 'start', name });\n"],
    ['a fix builder and a fix passed on', 'src/adapters/probe.ts', "throw new CloudRigError('NoSsh', 'x', thenFix(fix, { action: 'report-bug' }));\nthrow new CloudRigError('NoSsh', 'x', error.fix);\n"],
    ['face words in a comment of core', 'src/core/probe.ts', "// The fix says `rig up`; the popover says Start.\nexport const m = 'It is stopped.';\n"],
    ['face words in the wording modules', 'src/shared/app-fix-wording.ts', "export const m = 'Press Start in the popover.';\n"],
    ['face words in a face', 'src/cli/probe.ts', "export const m = 'Run `rig up --timeout 60`.';\n"],
    ['a word that only contains a face word', 'src/core/probe.ts', "export const m = 'The trigger rigged an update expression --dry; compressed; a selection; a windowless room.';\n"],
    ['words that only look like face words', 'src/core/probe.ts', "export const m = 'Windows (CRLF) line endings; settings.json; the AMI id in its settings; the billing window; do script in window 1; shutdown -h now';\n"],
    ['an IPC channel the faces call', 'src/shared/probe.ts', "export const c = ['settings:get', 'window:hide', 'workstation:select'];\n"],
    ["the app's autostart entry names the tray", 'src/core/autostart-entry.ts', "export const c = 'Comment=Your cloud GPU workstation in the tray';\n"],
    ['a key pressed in a terminal', 'src/core/probe.ts', "export const m = 'press Enter to close';\n"],
    ['an action id the app acts on', 'src/core/probe.ts', "export const a = { action: 'show-popover' };\n"],
    ["the tray menu's own labels in the tray model", 'src/core/tray-model.ts', "export const items = ['Open terminal', 'Terminate…'];\n"],
    ['a command run on the workstation', 'src/core/app/tunnels.ts', "export const list = 'jupyter server list --json 2>/dev/null';\n"],
  ];

  it.each(accepted)('accepts: %s', (_what, path, source) => {
    expect(check(path, source)).toEqual([]);
  });
});
