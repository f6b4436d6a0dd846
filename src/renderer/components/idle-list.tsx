import type { IdleView } from '../../shared/forgotten.js';

/**
 * "Idle in this account": volumes, snapshots, images and Elastic IPs that bill by the month, found
 * by the hourly account scan, with the month's projection. The app only shows them: `rig clean`
 * removes CloudRig's own leftovers; the others are the user's to look at in the AWS console.
 */
export function IdleList({ view }: { view: IdleView }) {
  if (view.rows.length === 0 && view.failedRegions.length === 0) return null;
  return (
    <section className="still-costing idle" aria-labelledby="idle-title" data-testid="idle">
      <h2 id="idle-title">Idle in this account <span className="total">{view.summary}</span></h2>
      <ul>
        {view.rows.map((row) => (
          <li key={row.id} data-testid="idle-row" style={{ flexDirection: 'column', alignItems: 'flex-start', gap: 2 }}>
            <span><strong>{row.title}</strong> <span className="hint">{row.id}</span></span>
            <span className="amount">{row.detail}</span>
          </li>
        ))}
      </ul>
      {view.failedRegions.length > 0 ? <p className="hint">Not read this time: {view.failedRegions.join(', ')}.</p> : null}
      <p className="hint">
        {view.rows.some((row) => row.cloudrig) ? 'rig clean removes CloudRig\'s leftovers (saved images only with --images). ' : ''}
        rig scan --all prints each one&apos;s AWS console page.
      </p>
    </section>
  );
}
