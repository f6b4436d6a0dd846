// A page with nothing but popover components, each rendered from a model the test passes in.
import { ElsewhereList } from '../../../src/renderer/components/elsewhere-list.js';
import { IdleList } from '../../../src/renderer/components/idle-list.js';
import { SpendChart } from '../../../src/renderer/components/spend-chart.js';
import type { ElsewhereView, IdleView } from '../../../src/shared/forgotten.js';
import type { SpendChart as SpendChartModel } from '../../../src/shared/spend-chart.js';
import { harnessPage, mount } from './harness-page.js';

// intents: what the buttons asked for, in order (`console:i-…`, `dismiss:i-…`).
const page = harnessPage<{ renderSpendChart(chart: SpendChartModel): void; renderElsewhere(view: ElsewhereView): void; renderIdle(view: IdleView): void }>();

page.renderSpendChart = (chart) => mount(page).render(<SpendChart chart={chart} />);
page.renderElsewhere = (view) => mount(page).render(
  <ElsewhereList view={view} onShowInConsole={(id) => page.intents.push(`console:${id}`)} onDismiss={(id) => page.intents.push(`dismiss:${id}`)} />,
);
page.renderIdle = (view) => mount(page).render(<IdleList view={view} />);
