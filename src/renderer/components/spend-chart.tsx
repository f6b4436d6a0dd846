import { chartFigure, chartPace, type SpendChart as SpendChartModel, type SpendDay } from '../../shared/spend-chart.js';
import { formatUsd } from '../../shared/money.js';

const WIDTH = 300;
const HEIGHT = 84;
/** Room above the bars for the budget label. */
const TOP = 12;


function barLabel(day: SpendDay, pace: number): string {
  return day.future ? `${day.date}: ${formatUsd(pace)} at the pace so far` : `${day.date}: ${formatUsd(day.usd)}${day.today ? ' so far today' : ''}`;
}

/**
 * This month's daily spend as a small bar chart (inline SVG): past days solid, today darker, the
 * rest of the month faint at the pace so far, and the daily budget as a dashed line when one is
 * set. Every number drawn is a field of the model (the same model `rig cost --json` prints).
 * Nothing while the month has no spend.
 */
export function SpendChart({ chart }: { chart: SpendChartModel }) {
  // Collapsed until there is spend: an empty month is ~120 px of nothing (and its $0.00 would sit
  // beside the live session's cost). An unknown spend still shows, to say it is unknown.
  if (chart.spentUsd === 0 && !chart.unpriced) return null;
  const slot = WIDTH / chart.days.length;
  const y = (usd: number): number => (chart.topUsd > 0 ? TOP + (HEIGHT - TOP) * (1 - usd / chart.topUsd) : HEIGHT);
  const over = chart.budgetUsd !== null && chart.projectedUsd > chart.budgetUsd;
  return (
    <figure className="spend-chart" data-testid="spend-chart" style={{ margin: '8px 0' }}>
      <figcaption data-testid="spend-summary" style={{ fontSize: 12, marginBottom: 4 }}>
        This month <strong>{chartFigure(chart, chart.spentUsd)}</strong>
        {' · '}projected <span style={over ? { color: '#d93036', fontWeight: 600 } : undefined}>{chartFigure(chart, chart.projectedUsd)}</span>
        {chart.budgetUsd !== null ? <> of {formatUsd(chart.budgetUsd)} budget</> : null}
        {' · '}pace {chartPace(chart)}
        {chart.unpriced ? <span data-testid="spend-unpriced"> (a run&apos;s rate is unknown and not counted)</span> : null}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 12}`} width="100%" role="img"
        aria-label={`Daily spend in ${chart.month}: ${formatUsd(chart.spentUsd)} so far, ${formatUsd(chart.projectedUsd)} projected by month end`}>
        {chart.days.map((day) => {
          const usd = day.future ? chart.paceUsdPerDay : day.usd;
          const top = y(usd);
          return (
            <rect key={day.date} data-testid={day.future ? 'spend-bar-projected' : 'spend-bar'} x={(day.day - 1) * slot + 0.5}
              y={top} width={Math.max(1, slot - 1.5)} height={Math.max(0, HEIGHT - top)}
              fill={day.today ? '#2a5bd7' : '#5b8def'} fillOpacity={day.future ? 0.25 : 1}
              stroke={day.future ? '#5b8def' : 'none'} strokeDasharray={day.future ? '2 2' : undefined}>
              <title>{barLabel(day, chart.paceUsdPerDay)}</title>
            </rect>
          );
        })}
        {chart.budgetPerDayUsd !== null ? (
          <g data-testid="spend-budget-line">
            <line x1={0} x2={WIDTH} y1={y(chart.budgetPerDayUsd)} y2={y(chart.budgetPerDayUsd)} stroke="#d93036" strokeDasharray="4 3" strokeWidth={1} />
            <text x={WIDTH - 2} y={y(chart.budgetPerDayUsd) - 2} textAnchor="end" fontSize={9} fill="#d93036">budget {formatUsd(chart.budgetPerDayUsd)}/day</text>
          </g>
        ) : null}
        <line x1={0} x2={WIDTH} y1={HEIGHT} y2={HEIGHT} stroke="#999" strokeWidth={0.5} />
        {chart.days.filter((day) => day.day === 1 || day.day % 5 === 0).map((day) => (
          <text key={day.date} x={(day.day - 0.5) * slot} y={HEIGHT + 10} textAnchor="middle" fontSize={8} fill="#777">{day.day}</text>
        ))}
      </svg>
    </figure>
  );
}
