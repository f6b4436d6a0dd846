import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** One figure of the benchmark, with its DESIGN.md target. */
export interface Row {
  /** The table's first column: groups related rows and orders them (1 notice latency … 7 `rig push`). */
  readonly item: number;
  readonly measure: string;
  /** Human-readable result, e.g. "0.27 s median (p95 0.52 s)". */
  readonly result: string;
  /** The target from DESIGN.md, in words. */
  readonly target: string;
  /** null when the row has no target or was not measured. */
  readonly pass: boolean | null;
  /** Machine-readable figures behind the result. */
  readonly data?: Record<string, unknown>;
}

const NOT_MEASURED = 'not measured: ';

/** A row for something that could not be measured, and why. */
export function notMeasured(item: number, measure: string, target: string, reason: string): Row {
  return { item, measure, result: `${NOT_MEASURED}${reason}`, target, pass: null };
}

/** Whether a row stands for something the bench could not measure. */
export function isNotMeasured(row: Row): boolean {
  return row.result.startsWith(NOT_MEASURED);
}

/** Median and nearest-rank percentiles of a sample. */
export function summary(values: readonly number[]): { n: number; median: number; p95: number; min: number; max: number; mean: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n, median: NaN, p95: NaN, min: NaN, max: NaN, mean: NaN };
  const median = n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
  return {
    n,
    median,
    p95: percentile(sorted, 95),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    mean: sorted.reduce((a, b) => a + b, 0) / n,
  };
}

/** Nearest-rank percentile of an ascending sample. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Seconds with two decimals, from milliseconds. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** The machine the bench ran on. */
export function machine(): Record<string, string | number> {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // Not Linux: os.cpus() has the model.
  }
  return {
    cpus: cpus().length,
    cpuModel: model,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

/** The results as a Markdown table (readable in a terminal too); `unjudged` fills the Pass cell of a row without a verdict. */
export function table(rows: readonly Row[], unjudged = '—'): string {
  const header = ['#', 'Measure', 'Result', 'Target (DESIGN.md)', 'Pass'];
  const cells = rows.map((row) => [String(row.item), row.measure, row.result, row.target, row.pass === null ? unjudged : row.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: readonly string[]): string => `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
