import { describe, expect, it } from 'vitest';
import { hasControlCharacters, printable } from '../../src/shared/untrusted-text.js';

// What a hostile or broken workstation prints to take over a terminal: a window title (OSC 0 … BEL),
// a screen clear (CSI 2J), colour (SGR), an 8-bit CSI (0x9b) and a right-to-left override.
const TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J';
const RED = '\u001b[31mred\u001b[0m';
const C1_CSI = '\u009b2J';
const RTL = 'file\u202Etxt.exe';

/** Any character a terminal may act on rather than print. */
// eslint-disable-next-line no-control-regex
const ACTIVE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('printable: text from the box shows as the characters it is', () => {
  it('shows escape sequences as \\e with their text, so nothing is left for the terminal to act on', () => {
    const shown = printable(`${TITLE}${CLEAR}${RED}`);
    expect(shown).toBe('\\e]0;pwned\\x07\\e[2J\\e[31mred\\e[0m');
    expect(shown).not.toMatch(ACTIVE);
  });

  it('shows the C1 range (an 8-bit CSI 0x9b, NEL 0x85) and DEL as \\x escapes', () => {
    expect(printable(`${C1_CSI}\u0085\u007f`)).toBe('\\x9b2J\\x85\\x7f');
  });

  it('shows bidi overrides and isolates as \\u escapes, so a name cannot read backwards', () => {
    expect(printable(RTL)).toBe('file\\u202etxt.exe');
    expect(printable('a\u2066b\u2069c\u2028d')).toBe('a\\u2066b\\u2069c\\u2028d');
  });

  it('leaves ordinary text alone, accents, symbols and other scripts included', () => {
    const text = 'GPU 0: Tesla T4 · 15360 MiB · 45 °C — naïve 日本語 ✔';
    expect(printable(text)).toBe(text);
  });

  it('turns newlines, tabs and carriage returns into escapes by default (one line stays one line)', () => {
    expect(printable('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
  });

  it('with keepLines keeps newlines and tabs for a log, but never a carriage return (it would overwrite the line)', () => {
    expect(printable('step 1\n\tok\rFAKE\n', { keepLines: true })).toBe('step 1\n\tok\\rFAKE\n');
    expect(printable(`${CLEAR}line\n`, { keepLines: true })).toBe('\\e[2Jline\n');
  });
});

describe('hasControlCharacters: names with a control character are refused', () => {
  it('finds C0, DEL and C1 characters', () => {
    for (const name of ['a\nb', 'a\u001bb', 'a\u0000', 'x\u007f', 'x\u009b']) expect(hasControlCharacters(name), JSON.stringify(name)).toBe(true);
  });

  it('accepts ordinary names, spaces, quotes, % and non-ASCII included', () => {
    for (const name of ['model.py', 'my file.txt', "it's 100%.csv", 'données.parquet']) expect(hasControlCharacters(name), name).toBe(false);
  });
});
