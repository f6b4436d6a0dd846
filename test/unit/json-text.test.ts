import { describe, expect, it } from 'vitest';
import { jsonText } from '../../src/cli/output.js';
import { printable } from '../../src/shared/untrusted-text.js';

// `--json` output carries text from the box: a script must parse it back unchanged, and a terminal
// it is printed on must find nothing to act on. The characters escaped are the ones printable
// escapes (src/shared/untrusted-text.ts holds the one set), whatever JSON.stringify leaves raw.

describe('jsonText', () => {
  it('escapes exactly the characters printable escapes (every BMP character), and a parse gives each back', () => {
    const wrong: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCharCode(code);
      const text = jsonText({ text: `a${char}b` });
      const control = printable(char) !== char;
      if ((JSON.parse(text) as { text: string }).text !== `a${char}b`) wrong.push(`U+${code.toString(16)} does not parse back`);
      if (control && text.includes(char)) wrong.push(`U+${code.toString(16)} is left raw`);
      if (!control && char !== '"' && char !== '\\' && !text.includes(char)) wrong.push(`U+${code.toString(16)} is escaped though printable shows it`);
    }
    expect(wrong).toEqual([]);
  });

  it('writes DEL, the 8-bit CSI, line separators and bidi controls as \\u escapes; C0 as JSON.stringify does', () => {
    expect(jsonText('\u007f\u009b2J\u2028\u202e\u2066\u001b[31m\t')).toBe('"\\u007f\\u009b2J\\u2028\\u202e\\u2066\\u001b[31m\\t"');
  });

  it('keeps the layout\'s own newlines while a newline inside a string stays escaped', () => {
    expect(jsonText({ log: 'one\ntwo', name: 'gpu' }, 2)).toBe('{\n  "log": "one\\ntwo",\n  "name": "gpu"\n}');
  });
});
