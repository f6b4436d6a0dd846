import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RunnerTask, RunnerTestSuite } from 'vitest';
import { DOCS_BUILD, RELIABILITY_BUILD } from './docs-build.js';

/** The sections of docs/reliability.md that tests generate, each between its `<!-- NAME:start/end -->` markers. */
export const RELIABILITY_SECTIONS = ['fault-matrix', 'kill-tests', 'archive-kills', 'interrupts', 'bad-input', 'security', 'writers', 'sessions', 'files'] as const;

/** One generated section of docs/reliability.md. */
export type ReliabilitySection = (typeof RELIABILITY_SECTIONS)[number];

/** What the suite left for one section: scripts/docs.mjs copies `markdown` only when `complete`. */
export interface SectionOutput {
  readonly section: ReliabilitySection;
  /** The test file that wrote it, relative to the repository. */
  readonly file: string;
  /** Whether every test of that file ran (passed or failed); a -t run or a skipped test leaves it false. */
  readonly complete: boolean;
  readonly ran: number;
  readonly total: number;
  /** Absent when not complete, so a partial table cannot be copied by mistake. */
  readonly markdown?: string;
}

/**
 * Writes one generated section of docs/reliability.md into the docs build folder (never into docs/:
 * `npm run docs` splices it between the markers). `suite` is what the file's `afterAll` receives: the
 * table counts only when every test of that file ran, because a table from some cases only (vitest
 * -t, a skipped case) would show rows nobody tried; such a run records the section as partial instead.
 * Each suite owns one section, so suites running in parallel never write the same file.
 */
export async function writeReliabilitySection(section: ReliabilitySection, suite: Readonly<RunnerTestSuite>, markdown: string): Promise<void> {
  const file = suite.file;
  const { ran, total } = testsRan(file);
  const complete = total > 0 && ran === total;
  const output: SectionOutput = {
    section, file: relative(join(DOCS_BUILD, '..'), file.filepath), complete, ran, total, ...(complete ? { markdown: markdown.trim() } : {}),
  };
  await mkdir(RELIABILITY_BUILD, { recursive: true });
  const path = join(RELIABILITY_BUILD, `${section}.json`);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(output, null, 2)}\n`);
  await rename(temp, path);
}

/** How many of the tests under `task` ran to a result (pass or fail), of how many there are. */
function testsRan(task: Readonly<RunnerTask>): { ran: number; total: number } {
  if (task.type !== 'suite') {
    const state = task.result?.state;
    return { ran: state === 'pass' || state === 'fail' ? 1 : 0, total: 1 };
  }
  return task.tasks.map(testsRan).reduce((sum, next) => ({ ran: sum.ran + next.ran, total: sum.total + next.total }), { ran: 0, total: 0 });
}

/** A markdown table from a header row and rows of cells (pipes in cells escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (value: string | number): string => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
