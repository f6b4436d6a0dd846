import type { StillCostingView } from '../../shared/views.js';

/** What keeps billing while nothing runs: disk, saved images, addresses, with a monthly total. */
export function StillCosting({ costing }: { costing: StillCostingView }) {
  return (
    <section className="still-costing" aria-labelledby="still-costing-title" data-testid="still-costing">
      <h2 id="still-costing-title">Still costing you <span className="total">{costing.total}</span></h2>
      <ul>
        {costing.items.map((item) => (
          <li key={item.label}><span>{item.label}</span><span className="amount">{item.monthly}</span></li>
        ))}
      </ul>
      <p className="hint">{costing.hint}</p>
    </section>
  );
}
