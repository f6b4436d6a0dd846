/**
 * Text that came from the workstation (command output, log lines, file names) is data, never
 * terminal instructions: a compromised or misbehaving box must not be able to set the window
 * title, clear the screen, move the cursor or colour what CloudRig prints. Each face shows such
 * text through `printable`.
 */

/** C0 controls, DEL and the C1 range (0x80–0x9f: a lone 0x9b is CSI on some terminals). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

// The controls above plus the line separators and the bidirectional overrides (which reorder what is shown).
// eslint-disable-next-line no-control-regex
const CONTROL_GLOBAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Whether `text` holds any control character (names and paths with one are refused). */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}

/** `text` with each control, line-separator or bidi character replaced by what `replacement` makes of it. */
export function replaceControlCharacters(text: string, replacement: (char: string) => string): string {
  return text.replace(CONTROL_GLOBAL, replacement);
}

function escaped(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === '\t') return '\\t';
  if (char === '\r') return '\\r';
  if (char === '\n') return '\\n';
  if (char === '\u001b') return '\\e';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character shown as an escape (`\e`, `\x07`, `\u202e`), so it prints as
 * the characters it is. With `keepLines`, newlines (and tabs) stay as they are for multi-line
 * output such as a log; a carriage return never does (it would overwrite the start of the line).
 */
export function printable(text: string, options: { readonly keepLines?: boolean } = {}): string {
  return replaceControlCharacters(text, (char) => (options.keepLines && (char === '\n' || char === '\t') ? char : escaped(char)));
}
