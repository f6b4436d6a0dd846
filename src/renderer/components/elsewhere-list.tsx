import type { ElsewhereView } from '../../shared/forgotten.js';
import { AccountList } from './account-list.js';

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
    <AccountList kind="elsewhere" title="Elsewhere in this account" summary={view.summary}
      rows={view.rows.map((row) => ({ ...row, id: row.instanceId }))}
      actions={(row) => (
        <span style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
          <button type="button" onClick={() => onShowInConsole(row.instanceId)}>Show in AWS console</button>
          {row.dismissed ? <span className="hint"> not notified</span>
            : <button type="button" onClick={() => onDismiss(row.instanceId)}>Don&apos;t tell me about this one again</button>}
        </span>
      )}>
      <p className="hint">Not started by CloudRig, so CloudRig leaves them running. Stop them in the console if they are forgotten.</p>
    </AccountList>
  );
}
