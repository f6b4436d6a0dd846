import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'reliability.md');

/** The sections of docs/reliability.md that tests generate. */
export type ReliabilitySection = 'fault-matrix' | 'kill-tests' | 'bad-input' | 'security' | 'writers' | 'sessions' | 'files' | 'interrupts';

/**
 * Replaces one generated section of docs/reliability.md (between its start and end markers) with
 * `markdown`. Each suite owns one section, so suites running in parallel never write the same part;
 * the file is re-read and replaced atomically for each write.
 */
export async function writeReliabilitySection(section: ReliabilitySection, markdown: string): Promise<void> {
  const start = `<!-- ${section}:start -->`;
  const end = `<!-- ${section}:end -->`;
  const text = await readFile(DOC, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/reliability.md has no ${start} … ${end} markers`);
  const next = `${text.slice(0, from + start.length)}\n${markdown.trim()}\n${text.slice(to)}`;
  const temp = `${DOC}.${process.pid}.tmp`;
  await writeFile(temp, next);
  await rename(temp, DOC);
}

/** A markdown table from a header row and rows of cells (pipes in cells escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number): string => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
