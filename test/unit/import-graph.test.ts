import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The import graph of src/, read with the TypeScript compiler's own pre-processor (static imports,
// `import type`, re-exports and import() alike): a cycle means two modules each need the other, and
// the shared piece belongs in a module below both.
const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** Every .ts/.tsx file under `dir`, as absolute paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The files under src/ that `file` imports (relative specifiers only; `./x.js` is `./x.ts` or `./x.tsx`). */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => {
      const base = resolve(dirname(file), specifier).replace(/\.js$/, '');
      return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    })
    .filter((target): target is string => target !== undefined && target.startsWith(SRC));
}

/** The import cycles among `files`: each strongly connected component of more than one file, or a file importing itself (Tarjan). */
export function importCycles(files: readonly string[], edges: (file: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of edges(file)) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || edges(file).includes(file)) cycles.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

describe('the import graph of src', () => {
  it('has no cycle', () => {
    const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]));
    const cycles = importCycles([...graph.keys()], (file) => graph.get(file) ?? []);
    expect(cycles.map((cycle) => cycle.map((file) => relative(ROOT, file)).join(' ↔ '))).toEqual([]);
  });

  it('has no import from domain code in src/core into the application layer src/core/app', () => {
    const core = join(SRC, 'core');
    const app = join(core, 'app');
    const inside = (file: string, dir: string): boolean => file.startsWith(`${dir}/`);
    const upward = sourceFiles(core)
      .filter((file) => !inside(file, app))
      .flatMap((file) => importsOf(file).filter((target) => inside(target, app)).map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`));
    expect(upward).toEqual([]);
  });

  it('the check finds a cycle of two modules and one through three, and none in a chain', () => {
    const edges = (graph: Record<string, string[]>) => (file: string): string[] => graph[file] ?? [];
    expect(importCycles(['a', 'b', 'c'], edges({ a: ['b'], b: ['a', 'c'] }))).toEqual([['a', 'b']]);
    expect(importCycles(['a', 'b', 'c'], edges({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['a', 'b', 'c']]);
    expect(importCycles(['a', 'b', 'c'], edges({ a: ['b', 'c'], b: ['c'] }))).toEqual([]);
  });
});
