// A page with nothing but popover components, each rendered from a model the test passes in.
import { createRoot, type Root } from 'react-dom/client';
import { ElsewhereList } from '../../../src/renderer/components/elsewhere-list.js';
import { SpendChart } from '../../../src/renderer/components/spend-chart.js';
import type { ElsewhereView } from '../../../src/shared/forgotten.js';
import type { SpendChart as SpendChartModel } from '../../../src/shared/spend-chart.js';

let root: Root | null = null;
const page = globalThis as unknown as {
  document: { getElementById(id: string): Element | null };
  renderSpendChart(chart: SpendChartModel): void;
  renderElsewhere(view: ElsewhereView): void;
  /** What the buttons asked for, in order: `console:i-…`, `dismiss:i-…`. */
  intents: string[];
};
page.intents = [];

function mount(): Root {
  const host = page.document.getElementById('root');
  if (!host) throw new Error('no #root');
  root ??= createRoot(host);
  return root;
}

page.renderSpendChart = (chart) => mount().render(<SpendChart chart={chart} />);
page.renderElsewhere = (view) => mount().render(
  <ElsewhereList view={view} onShowInConsole={(id) => page.intents.push(`console:${id}`)} onDismiss={(id) => page.intents.push(`dismiss:${id}`)} />,
);
