import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatHourly } from '../../shared/hourly-rate.js';
import { fixSteps } from '../../shared/fix-steps.js';
import { PRICE_SOURCE_NOTE, type GpuOfferRow } from '../../shared/gpu-offers.js';
import type { RateView, ResizeChoicesView, ResizeOutcomeView, ResizePlanView } from '../../shared/resize-view.js';
import { useRequest } from '../use-request.js';
import { ErrorBox } from './error-box.js';
import { OfferTable } from './gpu-picker.js';

/** A rate as Change type shows it: never $0.00 when the price is unknown. */
export function rateWords(rate: RateView | null): string {
  if (rate === null) return 'unknown (no price for it)';
  const estimate = rate.estimatedFrom ? `, estimated from ${rate.estimatedFrom}` : '';
  return `${formatHourly(rate.usdPerHour, 'compare')} ${rate.market} (${rate.source} price${estimate})`;
}

/** The plan of a picked type: prices before and after, and each check's line. */
function PlanBox({ plan }: { plan: ResizePlanView }) {
  const box = useRef<HTMLElement>(null);
  // Picked low in a long table: the plan and its button come into view.
  useEffect(() => box.current?.scrollIntoView?.({ block: 'nearest' }), [plan]);
  return (
    <section className="resize-plan" aria-label="The change" ref={box}>
      <p data-testid="resize-types"><strong>{plan.from}</strong> → <strong>{plan.to}</strong>{plan.instanceId ? ` (${plan.instanceId}, ${plan.state ?? 'unknown'})` : ' (no instance yet)'}</p>
      <dl className="resize-prices">
        <dt>Price now</dt><dd data-testid="resize-price-before">{rateWords(plan.priceBefore)}</dd>
        <dt>Price after</dt><dd data-testid="resize-price-after">{rateWords(plan.priceAfter)}</dd>
      </dl>
      <ul className="checked" aria-label="Checked">
        {plan.checked.map((line) => <li key={line}>{line}</li>)}
      </ul>
    </section>
  );
}

/** What happened, in one line. */
function OutcomeLine({ outcome }: { outcome: ResizeOutcomeView }) {
  const { plan } = outcome;
  if (outcome.status === 'unchanged') return <p role="status" data-testid="resize-outcome">{plan.name} already is a {plan.to}; nothing changed.</p>;
  if (outcome.status === 'stopping') {
    return <p role="status" data-testid="resize-outcome">Stopping {plan.name}, then changing it to {plan.to}{outcome.started ? ' and starting it' : ''}: the popover shows the progress.</p>;
  }
  return (
    <p role="status" data-testid="resize-outcome">
      {plan.name} is now a {plan.to}, with the same disk: {rateWords(plan.priceAfter)}, was {rateWords(plan.priceBefore)}.
      {outcome.started ? ' Starting it.' : ' It is stopped: Start runs it as the new type.'}
    </p>
  );
}

/**
 * Change type…: the GPU picker's rows for the workstation's region; a picked row is checked as
 * `rig resize` checks it (architecture, driver, quota, spot) and priced before and after, then
 * changed. A running workstation is offered "Stop and change type".
 */
export function ChangeTypeDialog(props: { name: string; onClose: () => void }) {
  const api = window.cloudrig;
  const listing = useRequest();
  const checking = useRequest();
  const applying = useRequest();
  const [choices, setChoices] = useState<ResizeChoicesView | null>(null);
  const [model, setModel] = useState<string | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [plan, setPlan] = useState<ResizePlanView | null>(null);
  const [vouched, setVouched] = useState(false);
  const [outcome, setOutcome] = useState<ResizeOutcomeView | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => title.current?.focus(), []);

  useEffect(() => {
    void listing.run(() => api.listResizeChoices({ purpose: 'change' })).then((value) => value && setChoices(value));
  }, []);

  // Each pick is checked as `rig resize` checks it; a refusal is checking.error, with its fix.
  const check = async (instanceType: string, skipDriverCheck: boolean): Promise<void> => {
    setPicked(instanceType);
    setPlan(null);
    setOutcome(null);
    applying.clearError();
    setPlan(await checking.run(() => api.planTypeChange({ instanceType, skipDriverCheck })));
  };
  const pick = (row: GpuOfferRow): void => {
    setVouched(false);
    void check(row.instanceType, false);
  };
  const apply = async (planned: ResizePlanView): Promise<void> => {
    const done = await applying.run(() => api.changeType({ instanceType: planned.to, stopFirst: planned.needsStop, skipDriverCheck: vouched, startAfter: false }));
    if (done) setOutcome(done);
  };

  const shownModel = model ?? choices?.rows.find((row) => row.instanceType === choices.from)?.gpuModel ?? choices?.rows[0]?.gpuModel ?? null;
  const models = [...new Set(choices?.rows.map((row) => row.gpuModel ?? 'GPU') ?? [])];
  const rows = choices?.rows.filter((row) => (row.gpuModel ?? 'GPU') === shownModel) ?? [];
  const driverRefused = checking.error !== null && fixSteps(checking.error.fix).some((step) => step.action === 'confirm-driver');

  return (
    <section className="confirm change-type" role="dialog" aria-modal="true" aria-labelledby="change-type-title">
      <h2 id="change-type-title" ref={title} tabIndex={-1}>Change type of {props.name}</h2>
      <p className="detail">The instance keeps its disk and its id; only its type changes. It must be stopped for that.</p>
      {listing.busy ? <p className="hint" role="status">Listing GPU types, prices and your quota…</p> : null}
      {listing.error ? <ErrorBox error={listing.error} title="Could not list GPU types" /> : null}
      {choices ? null : <div className="actions"><button type="button" onClick={props.onClose}>Cancel</button></div>}
      {choices ? (
        <>
          <p className="facts" data-testid="resize-current">Now: {choices.from} · {choices.region}{choices.zone ? ` (${choices.zone})` : ''}{choices.state ? ` · ${choices.state}` : ''}</p>
          {choices.needsStop ? (
            <p className="warning" data-testid="resize-needs-stop">{choices.name} is {choices.state}: its type can change only while it is stopped. Pick a type, then Stop and change type.</p>
          ) : null}
          {choices.spot ? <p className="warning">A spot instance&apos;s type cannot change (its spot request keeps the type it was made with).</p> : null}
          {checking.busy ? <p className="hint" role="status">Checking {picked ?? 'the type'}…</p> : null}
          {plan ? <PlanBox plan={plan} /> : null}
          {checking.error ? <ErrorBox error={checking.error} title={`Cannot change to ${picked ?? 'that type'}`} /> : null}
          {driverRefused || vouched ? (
            <label className="inline">
              <input type="checkbox" checked={vouched} onChange={(event) => {
                setVouched(event.target.checked);
                if (picked) void check(picked, event.target.checked);
              }} />
              The image has the NVIDIA driver (nvidia-smi answers on the box)
            </label>
          ) : null}
          {applying.error ? <ErrorBox error={applying.error} title="The type did not change" /> : null}
          {outcome ? <OutcomeLine outcome={outcome} /> : null}
          <div className="actions stacked">
            {plan && !outcome && !plan.unchanged ? (
              <button type="button" className="primary" disabled={applying.busy} onClick={() => void apply(plan)}>
                {plan.needsStop ? `Stop and change to ${plan.to}` : `Change to ${plan.to}`}
              </button>
            ) : null}
            <button type="button" onClick={props.onClose}>{outcome ? 'Done' : 'Cancel'}</button>
          </div>
          {choices.problems.map((problem) => (
            <ErrorBox key={problem.about} error={problem.error} title={problem.about === 'prices' ? 'Live prices unavailable: bundled prices shown' : 'vCPU quota unknown'} />
          ))}
          <label className="field"><span>GPU</span>
            <select value={shownModel ?? ''} onChange={(event) => setModel(event.target.value)}>
              {models.map((gpu) => <option key={gpu} value={gpu}>{gpu}</option>)}
            </select>
          </label>
          <OfferTable
            rows={rows}
            label={`${shownModel ?? 'GPU'} types in ${choices.region}`}
            group="resize-offer"
            byRegion={false}
            chosen={{ region: choices.region, instanceType: picked ?? choices.from }}
            regionLocked
            onChoose={pick}
          />
          {choices.rows.some((row) => row.onDemandSource === 'bundled') ? <p className="hint">{PRICE_SOURCE_NOTE}</p> : null}
        </>
      ) : null}
    </section>
  );
}
