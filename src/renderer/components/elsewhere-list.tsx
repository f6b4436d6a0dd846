import type { ElsewhereView } from '../../shared/forgotten.js';

/**
 * "Elsewhere in this account": running instances CloudRig did not start, found by the hourly
 * all-region scan. CloudRig never stops them; it only shows them, links to the console, and stops
 * notifying about one when told.
 */
export function ElsewhereList({ view, onShowInConsole, onDismiss }: {
  view: ElsewhereView;
  onShowInConsole: (instanceId: string) => void;
  onDismiss: (instanceId: string) => void;
}) {
  if (view.rows.length === 0) return null;
  return (
    <section className="still-costing elsewhere" aria-labelledby="elsewhere-title" data-testid="elsewhere">
      <h2 id="elsewhere-title">Elsewhere in this account <span className="total">{view.summary}</span></h2>
      <ul>
        {view.rows.map((row) => (
          <li key={row.instanceId} data-testid="elsewhere-row" style={{ flexDirection: 'column', alignItems: 'flex-start', gap: 2 }}>
            <span><strong>{row.title}</strong> <span className="hint">{row.instanceId}</span></span>
            <span className="amount">{row.detail}</span>
            <span style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
              <button type="button" onClick={() => onShowInConsole(row.instanceId)}>Show in AWS console</button>
              {row.dismissed ? <span className="hint"> not notified</span>
                : <button type="button" onClick={() => onDismiss(row.instanceId)}>Don&apos;t tell me about this one again</button>}
            </span>
          </li>
        ))}
      </ul>
      <p className="hint">Not started by CloudRig, so CloudRig leaves them running. Stop them in the console if they are forgotten.</p>
    </section>
  );
}
