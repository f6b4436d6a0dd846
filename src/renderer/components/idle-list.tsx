import type { IdleView } from '../../shared/forgotten.js';
import { AccountList } from './account-list.js';

/**
 * "Idle in this account": volumes, snapshots, images and Elastic IPs that bill by the month, found
 * by the hourly account scan, with the month's projection. The app only shows them: `rig clean`
 * removes CloudRig's own leftovers; the others are the user's to look at in the AWS console.
 */
export function IdleList({ view }: { view: IdleView }) {
  if (view.rows.length === 0 && view.failedRegions.length === 0) return null;
  return (
    <AccountList kind="idle" title="Idle in this account" summary={view.summary} rows={view.rows}>
      {view.failedRegions.length > 0 ? <p className="hint">Not read this time: {view.failedRegions.join(', ')}.</p> : null}
      <p className="hint">
        {view.rows.some((row) => row.cloudrig) ? 'rig clean removes CloudRig\'s leftovers (saved images only with --images). ' : ''}
        rig scan --all prints each one&apos;s AWS console page.
      </p>
    </AccountList>
  );
}
