import { useEffect, useState } from 'react';
import { fixSteps } from '../../shared/fix-steps.js';
import { formatHourly } from '../../shared/hourly-rate.js';
import type { ResizeChoicesView, ResizeOutcomeView } from '../../shared/resize-view.js';
import type { ErrorInfo } from '../../shared/workstation.js';
import { useRequest } from '../use-request.js';
import { rateWords } from './change-type-dialog.js';
import { ErrorBox } from './error-box.js';

/** Whether an error offers a change of type for want of capacity (a stopped instance that could not start). */
export function offersCapacityResize(error: ErrorInfo | null): boolean {
  return error !== null && fixSteps(error.fix).some((step) => step.action === 'resize-for-capacity');
}

/**
 * Under a start that found no capacity: the types with the same GPU or better that the disk's zone
 * offers, as the GPU picker lists them, each one click from "change the type, keep the disk, start".
 * Each click is checked as `rig resize` checks it; a refusal shows with its fix.
 */
export function CapacityResize() {
  const api = window.cloudrig;
  const listing = useRequest();
  const applying = useRequest();
  const [choices, setChoices] = useState<ResizeChoicesView | null>(null);
  const [outcome, setOutcome] = useState<ResizeOutcomeView | null>(null);

  useEffect(() => {
    void listing.run(() => api.listResizeChoices({ purpose: 'capacity' })).then((value) => value && setChoices(value));
  }, []);

  const change = async (instanceType: string): Promise<void> => {
    const done = await applying.run(() => api.changeType({ instanceType, stopFirst: false, skipDriverCheck: false, startAfter: true }));
    if (done) setOutcome(done);
  };

  return (
    <section className="capacity-resize" aria-labelledby="capacity-resize-title">
      <h3 id="capacity-resize-title">Change type and start</h3>
      {listing.busy ? <p className="hint" role="status">Listing the types with the same GPU or better in its zone…</p> : null}
      {listing.error ? <ErrorBox error={listing.error} title="Could not list other types" /> : null}
      {choices && choices.rows.length === 0 ? <p className="hint">No other type with the same GPU or better is offered in {choices.zone ?? choices.region}.</p> : null}
      {choices && choices.rows.length > 0 ? (
        <ul className="capacity-rows" aria-label={`The cheapest types with the same GPU or better in ${choices.zone ?? choices.region}`}>
          {choices.rows.map((row) => (
            <li key={row.instanceType} data-testid="capacity-row">
              <button type="button" disabled={applying.busy || outcome !== null} onClick={() => void change(row.instanceType)}>
                Change to {row.instanceType} and start
              </button>
              {' '}<span className="sub">{row.gpuCount}× {row.gpuModel ?? 'GPU'}{row.gpuMemoryGiB === null ? '' : `, ${row.gpuMemoryGiB} GiB`} · {row.vcpus} vCPU
                {' · '}{row.onDemandUsd === null ? 'price unknown' : `${formatHourly(row.onDemandUsd, 'compare')} ${row.onDemandSource ?? ''}`}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {applying.error ? <ErrorBox error={applying.error} title="The type did not change" /> : null}
      {outcome ? (
        <p role="status" data-testid="capacity-outcome">
          {outcome.plan.name} is now a {outcome.plan.to} ({rateWords(outcome.plan.priceAfter)}), with the same disk; starting it.
        </p>
      ) : null}
    </section>
  );
}
