// A page with nothing but the popover's spend chart, rendered from a model the test passes in.
import { createRoot, type Root } from 'react-dom/client';
import { SpendChart } from '../../../src/renderer/components/spend-chart.js';
import type { SpendChart as SpendChartModel } from '../../../src/shared/spend-chart.js';

let root: Root | null = null;

(globalThis as unknown as { renderSpendChart(chart: SpendChartModel): void }).renderSpendChart = (chart) => {
  const host = (globalThis as unknown as { document: { getElementById(id: string): Element | null } }).document.getElementById('root');
  if (!host) throw new Error('no #root');
  root ??= createRoot(host);
  root.render(<SpendChart chart={chart} />);
};
