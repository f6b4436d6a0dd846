import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Money is answered in one place, src/core/app/cost.ts (CostUseCases, on Rig as `rig.cost`), and a
// push to the workstation is made in one place, src/core/app/push.ts (`rig.connect.push`). A face
// or an app part that drew its own spend chart, asked the cost tracker itself or uploaded on its
// own would be a second copy of the use case, free to drift from what the other face does
// (same-effects.test.ts compares what the two faces do; this keeps a faithful copy from creeping back).
const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');
const COST = 'src/core/app/cost.ts';
const PUSH = 'src/core/app/push.ts';
/** The chart's computation. */
const CHART = 'src/core/spend-chart.js';

/** The cost tracker's questions (src/core/cost-tracker.ts). */
const TRACKER_METHODS = new Set(['observe', 'report', 'histories', 'monthSpend', 'rateOf']);

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Where `path` goes around a use case: imports the chart's computation (src/core/spend-chart.ts) or
 * calls a tracker method on a `costs` property (outside cost.ts), or uploads (outside push.ts).
 */
export function shortcuts(path: string, text: string): string[] {
  const found: string[] = [];
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (path !== COST && ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && posix.join(posix.dirname(path), node.moduleSpecifier.text) === CHART) {
      found.push(`imports ${node.moduleSpecifier.text}`);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      if (path !== COST && TRACKER_METHODS.has(method) && ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'costs') found.push(`calls costs.${method}()`);
      if (path !== PUSH && method === 'upload') found.push('calls upload()');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('each use case is written once', () => {
  it('only the cost use case draws the spend chart or asks the cost tracker, and only the push use case uploads: rig cost, rig push, the popover and the monitor go through them', () => {
    const found = sourceFiles()
      .map((file) => relative(ROOT, file).split('\\').join('/'))
      .flatMap((file) => shortcuts(file, readFileSync(join(ROOT, file), 'utf8')).map((what) => `${file} ${what}`));
    expect(found).toEqual([]);
  });

  it('finds a chart drawn, the tracker asked or an upload made outside its use case', () => {
    expect(shortcuts('src/core/app/app-fleet.ts', "import { spendChart } from '../spend-chart.js';\nconst c = core.costs.histories();\n"))
      .toEqual(['imports ../spend-chart.js', 'calls costs.histories()']);
    expect(shortcuts('src/core/app/monitor.ts', 'await this.host.core().costs.observe(spec, null, now);\n')).toEqual(['calls costs.observe()']);
    expect(shortcuts('src/core/app/project-push.ts', 'syncTree(source, session.tree(root), session.upload(local, root));\n')).toEqual(['calls upload()']);
    // The shared chart type and a map named costs are not shortcuts; the use cases themselves are not either.
    expect(shortcuts('src/core/app/app-fleet.ts', "import type { SpendChart } from '../../shared/spend-chart.js';\ncosts.get('gpu');\n")).toEqual([]);
    expect(shortcuts(COST, "import { spendChart } from '../spend-chart.js';\ncore.costs.report([], new Map(), 0);\n")).toEqual([]);
    expect(shortcuts(PUSH, 'this.session.upload(this.local, this.remoteRoot);\n')).toEqual([]);
  });
});
