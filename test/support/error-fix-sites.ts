import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isErrorCode, type ErrorCode } from '../../src/shared/errors.js';

/** One place in the source that gives an error code its fix. */
export interface ErrorFixSite {
  readonly code: ErrorCode;
  /** `src/…/file.ts:line`. */
  readonly where: string;
  /** The fix's source text (for a fix held in a `const`, its initialiser too). */
  readonly fix: string;
  /** The fix actions written there (`{ action: 'start', … }`), in order. */
  readonly actions: readonly string[];
  /** The text of the string literals in the fix, `${…}` read as `gpu` (a string fix, a hint). */
  readonly texts: readonly string[];
}

const ROOT = join(import.meta.dirname, '..', '..');
/** Where `rig` gets its errors from: the Electron shell and the renderer never reach a shell. */
const CLI_REACHABLE = ['src/cli', 'src/core', 'src/adapters', 'src/shared'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Walks code from `open` (a `(`, `{` or `[`) to its closing bracket, counting brackets outside
 * strings (a template literal's `${…}` is code). Returns the closing index, the top-level
 * comma positions, and the string literals met, as their text.
 */
function scan(text: string, open: number): { end: number; commas: number[]; strings: string[] } {
  const stack: string[] = [];
  const commas: number[] = [];
  const strings: string[] = [];
  let current = '';
  for (let i = open; i < text.length; i++) {
    const char = text[i]!;
    const top = stack.at(-1);
    if (top === "'" || top === '"' || top === '`') {
      if (char === '\\') current += text[++i] ?? '';
      else if (char === top) {
        stack.pop();
        strings.push(current);
        current = '';
      } else if (top === '`' && char === '$' && text[i + 1] === '{') {
        // What the template puts there: a name, most often; read as one.
        current += 'gpu';
        stack.push('${');
        i++;
      } else current += char;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') {
      // A string inside `${…}` is part of the value put in the template, not a text of its own.
      if (stack.includes('${')) {
        const close = text.indexOf(char, i + 1);
        i = close < 0 ? text.length : close;
      } else stack.push(char);
    } else if (char === '(' || char === '{' || char === '[') stack.push(char);
    else if (char === ')' || char === ']' || char === '}') {
      stack.pop();
      if (stack.length === 0) return { end: i, commas, strings };
    } else if (char === ',' && stack.length === 1) commas.push(i);
  }
  return { end: text.length, commas, strings };
}

/** The codes a `code` variable holds at `index`: the `case '…':` labels of the switch case it sits in. */
function caseLabels(text: string, index: number): string[] {
  const runs = [...text.slice(0, index).matchAll(/(?:case '[\w.]+':\s*)+/g)];
  const last = runs.at(-1);
  return last ? [...last[0].matchAll(/case '([\w.]+)':/g)].map((m) => m[1]!) : [];
}

/** A fix given by name: the nearest `const name … = …;` before `index`, else the name alone. */
function resolved(text: string, index: number, fix: string): string {
  const name = /^\s*([A-Za-z_]\w*)\s*$/.exec(fix)?.[1];
  if (!name) return fix;
  const declarations = [...text.slice(0, index).matchAll(new RegExp(`(?:const|let) ${name}\\b[^=]*=`, 'g'))];
  const declaration = declarations.at(-1);
  if (!declaration) return fix;
  const start = declaration.index + declaration[0].length;
  const end = text.indexOf(';\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}

function site(text: string, file: string, index: number, code: string, fix: string): ErrorFixSite | null {
  if (!isErrorCode(code)) return null;
  const open = fix.search(/\S/);
  const strings: string[] = [];
  // The fix's string literals: walk it as one bracketed expression.
  if (open >= 0) strings.push(...scan(`(${fix})`, 0).strings);
  return {
    code,
    where: `${relative(ROOT, file)}:${text.slice(0, index).split('\n').length}`,
    fix,
    actions: [...fix.matchAll(/action: '([\w-]+)'/g)].map((m) => m[1]!),
    texts: strings,
  };
}

/**
 * Every place in what `rig` runs that makes an error with a code written in it: `new
 * CloudRigError('Code', message, fix)` (or `code` inside `case 'Code':`) and `{ code: 'Code',
 * message, fix }`. Errors passed on with the code they came with are not sites: their code and
 * fix were given where they were made.
 */
export function errorFixSites(): ErrorFixSite[] {
  const sites: ErrorFixSite[] = [];
  for (const file of CLI_REACHABLE.flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/new CloudRigError\(\s*(?:'([\w.]+)'|(code)\b)/g)) {
      const open = match.index + match[0].indexOf('(');
      const { end, commas } = scan(text, open);
      // The third argument is the fix (a fourth, the AWS code, is not).
      if (commas.length < 2) continue;
      const fix = resolved(text, match.index, text.slice(commas[1]! + 1, commas[2] ?? end));
      for (const code of match[1] ? [match[1]] : caseLabels(text, match.index)) {
        const found = site(text, file, match.index, code, fix);
        if (found) sites.push(found);
      }
    }
    for (const match of text.matchAll(/\{\s*code: '([\w.]+)',\s*message:/g)) {
      const { end } = scan(text, match.index);
      const body = text.slice(match.index, end + 1);
      const fixAt = body.indexOf('fix:');
      const found = fixAt < 0 ? null : site(text, file, match.index, match[1]!, body.slice(fixAt + 4, -1));
      if (found) sites.push(found);
    }
  }
  return sites;
}
