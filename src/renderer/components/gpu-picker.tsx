import { useEffect, useState } from 'react';
import { PRICE_SOURCE_NOTE, type GpuOfferRow, type GpuOffersQuery, type GpuOffersView } from '../../shared/gpu-offers.js';
import { formatHourly } from '../../shared/hourly-rate.js';
import type { ErrorInfo } from '../../shared/workstation.js';
import { ErrorBox } from './error-box.js';

/** What the user picked: a type, and the region it is offered in. */
export interface GpuChoice {
  readonly instanceType: string;
  readonly region: string;
}

/** An answer to one picker query, or why there is none. */
type Loaded = { readonly view: GpuOffersView } | { readonly error: ErrorInfo };

/**
 * Asks main for offers: the answer, an error, or null while it runs. Answers are kept per query,
 * so going back to a GPU model or region already asked about costs no AWS call.
 */
function useGpuOffers(query: GpuOffersQuery | null): Loaded | null {
  const [answers, setAnswers] = useState<ReadonlyMap<string, Loaded>>(new Map());
  const key = query === null ? '' : JSON.stringify(query);
  const known = answers.get(key);
  useEffect(() => {
    if (query === null || (known !== undefined && 'view' in known)) return undefined;
    let live = true;
    const keep = (value: Loaded): void => {
      if (live) setAnswers((before) => new Map(before).set(key, value));
    };
    void window.cloudrig.listGpuOffers(query).then(
      (result) => keep(result.ok ? { view: result.value } : { error: result.error }),
      (thrown: unknown) => keep({ error: { code: 'Unexpected', message: String(thrown), fix: { action: 'report-bug' } } }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return query === null ? null : known ?? null;
}

function PriceCell({ price, source, testId }: { price: number | null; source: string | null; testId: string }) {
  return (
    <td data-testid={testId}>
      {price === null ? <span>—</span> : <span>{formatHourly(price, 'compare')}</span>} <span className="sub">{source ?? 'none'}</span>
    </td>
  );
}

function QuotaCell({ row }: { row: GpuOfferRow }) {
  if (row.quotaVcpus === null) return <td data-testid="offer-quota"><span>unknown</span></td>;
  return (
    <td data-testid="offer-quota">
      <span>{row.quotaVcpus} vCPUs</span>
      {row.canLaunch === false ? <> <span className="sub warning">can&apos;t launch yet — request quota</span></> : null}
    </td>
  );
}

/**
 * The same columns as `rig gpus`, folded to fit the popover: type with its GPU, vCPUs and RAM; on-demand
 * and spot with their source; the quota. Change type… lists its rows with it too.
 */
export function OfferTable(props: {
  rows: readonly GpuOfferRow[];
  label: string;
  group: string;
  byRegion: boolean;
  chosen: GpuChoice;
  regionLocked: boolean;
  onChoose: (row: GpuOfferRow) => void;
}) {
  const { chosen } = props;
  return (
    <table className="offer-table" aria-label={props.label}>
      <thead>
        <tr><th scope="col">{props.byRegion ? 'Region' : 'Type'}</th><th scope="col">On-demand</th><th scope="col">Spot</th><th scope="col">Quota</th></tr>
      </thead>
      <tbody>
        {props.rows.map((row) => {
          const elsewhere = row.region !== chosen.region;
          const checked = !elsewhere && row.instanceType === chosen.instanceType;
          // Fractional-GPU types (g6f) report a GPU count of 0.
          const gpu = `${row.gpuCount === 0 ? 'part of ' : `${row.gpuCount}× `}${row.gpuModel ?? 'GPU'}${row.gpuMemoryGiB === null ? '' : `, ${row.gpuMemoryGiB} GiB`}`;
          return (
            <tr key={`${row.region} ${row.instanceType}`} data-testid={props.byRegion ? 'cheapest-region' : 'gpu-offer'} className={checked ? 'chosen' : undefined}>
              <td>
                <label className="inline">
                  <input
                    type="radio"
                    name={props.group}
                    checked={checked}
                    disabled={elsewhere && props.regionLocked}
                    onChange={() => props.onChoose(row)}
                  />
                  <span data-testid="offer-name">{props.byRegion ? row.region : row.instanceType}</span>
                </label>
                {' '}<span className="sub" data-testid="offer-gpu">{props.byRegion ? `${row.instanceType}, ` : ''}{gpu}</span>
                {' '}<span className="sub" data-testid="offer-cpu">{row.vcpus} vCPU, {row.memoryGiB} GiB RAM</span>
              </td>
              <PriceCell price={row.onDemandUsd} source={row.onDemandSource} testId="offer-on-demand" />
              <PriceCell price={row.spotUsd} source={row.spotSource} testId="offer-spot" />
              <QuotaCell row={row} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Problems({ view }: { view: GpuOffersView }) {
  return (
    <>
      {view.problems.map((problem) => (
        <ErrorBox key={problem.about} error={problem.error} title={problem.about === 'prices' ? 'Live prices unavailable: bundled prices shown' : 'vCPU quota unknown'} />
      ))}
    </>
  );
}

/**
 * The instance-type picker: a GPU model, then its types in the form's region sorted by price with
 * the account's quota, and the cheapest regions for that GPU. Rows, order, prices and quota come
 * from the same use case as `rig gpus` (src/core/app/account.ts); this only lays them out.
 */
export function GpuPicker(props: {
  region: string;
  instanceType: string;
  regionLocked: boolean;
  onChoose: (choice: GpuChoice) => void;
}) {
  const { region, instanceType } = props;
  const [open, setOpen] = useState(false);
  const [model, setModel] = useState<string | null>(null);
  const [moved, setMoved] = useState<{ from: string; to: string; instanceType: string } | null>(null);
  // Comparing regions asks every enabled region, so it runs when asked, once per GPU model.
  const [compared, setCompared] = useState<ReadonlySet<string>>(new Set());
  const here = useGpuOffers(open ? { scope: 'region', region, gpu: null } : null);
  const hereView = here !== null && 'view' in here ? here.view : null;
  // The model of the form's type, until the user picks one; else the cheapest model of the region.
  const shownModel = model ?? hereView?.rows.find((row) => row.instanceType === instanceType)?.gpuModel ?? hereView?.models[0]?.gpuModel ?? null;
  const comparing = open && shownModel !== null && compared.has(shownModel);
  const everywhere = useGpuOffers(comparing ? { scope: 'all-regions', gpu: shownModel } : null);

  const choose = (row: GpuOfferRow): void => {
    setMoved(row.region === region ? null : { from: region, to: row.region, instanceType: row.instanceType });
    props.onChoose({ instanceType: row.instanceType, region: row.region });
  };
  const rows = hereView?.rows.filter((row) => row.gpuModel === shownModel) ?? [];
  const bundled = [hereView, everywhere !== null && 'view' in everywhere ? everywhere.view : null]
    .some((view) => view?.rows.some((row) => row.onDemandSource === 'bundled'));

  return (
    <details className="gpu-picker" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Compare GPU types by price</summary>
      <div className="stack">
        {moved ? (
          <p className="region-note" role="status">
            Region changes from {moved.from} to {moved.to} for {moved.instanceType}.
          </p>
        ) : null}
        {here === null ? <p className="hint" role="status">Listing GPU types, prices and your quota in {region}…</p> : null}
        {here !== null && 'error' in here ? <ErrorBox error={here.error} title="Could not list GPU types" /> : null}
        {hereView ? (
          <>
            <Problems view={hereView} />
            <label className="field"><span>GPU</span>
              <select value={shownModel ?? ''} onChange={(event) => setModel(event.target.value)}>
                {hereView.models.map((choice) => (
                  <option key={choice.gpuModel} value={choice.gpuModel}>
                    {choice.gpuModel} ({choice.types} {choice.types === 1 ? 'type' : 'types'}{choice.fromUsd === null ? '' : `, from ${formatHourly(choice.fromUsd, 'compare')}`})
                  </option>
                ))}
              </select>
            </label>
            {rows.length === 0 ? <p className="hint">No GPU instance types in {region}.</p> : (
              <OfferTable
                rows={rows}
                label={`${shownModel ?? 'GPU'} types in ${region}`}
                group="gpu-offer"
                byRegion={false}
                chosen={{ region, instanceType }}
                regionLocked={props.regionLocked}
                onChoose={choose}
              />
            )}
          </>
        ) : null}
        {shownModel !== null ? (
          <section className="cheapest-regions" aria-labelledby="cheapest-regions-title">
            <h3 id="cheapest-regions-title">Cheapest regions for {shownModel}</h3>
            {!comparing ? (
              <button type="button" onClick={() => setCompared((before) => new Set(before).add(shownModel))}>
                Compare all regions
              </button>
            ) : null}
            {comparing && everywhere === null ? <p className="hint" role="status">Asking every enabled region…</p> : null}
            {everywhere !== null && 'error' in everywhere ? <ErrorBox error={everywhere.error} title="Could not compare regions" /> : null}
            {everywhere !== null && 'view' in everywhere ? (
              <>
                <OfferTable
                  rows={everywhere.view.cheapestRegions}
                  label={`Cheapest regions for ${shownModel}`}
                  group="gpu-region"
                  byRegion
                  chosen={{ region, instanceType }}
                  regionLocked={props.regionLocked}
                  onChoose={choose}
                />
                <p className="hint">
                  {props.regionLocked
                    ? 'The region is fixed while an instance exists; terminate it to move.'
                    : 'Choosing a row in another region changes the workstation\'s region.'}
                  {everywhere.view.skipped.length > 0
                    ? ` ${everywhere.view.skipped.length} ${everywhere.view.skipped.length === 1 ? 'region' : 'regions'} did not answer (${everywhere.view.skipped.map((skip) => skip.region).join(', ')}).`
                    : ''}
                </p>
              </>
            ) : null}
          </section>
        ) : null}
        {bundled ? <p className="hint">{PRICE_SOURCE_NOTE}</p> : null}
      </div>
    </details>
  );
}
