import { useState } from 'react';
import type { CheckReport, QuotaRequestOffer } from '../../shared/views.js';
import { appFix } from '../../shared/app-fix-wording.js';
import { useRequest } from '../use-request.js';
import { ErrorBox } from './error-box.js';

const MARK = { ok: '✓', warn: '!', fail: '✗', skipped: '–' } as const;

/** First-run checks (credentials, default VPC, vCPU quota) with the quota request, confirmed first. */
export function ChecksSection(props: { region: string; instanceType: string; spot: boolean; report: CheckReport | null; onReport: (report: CheckReport) => void }) {
  const request = useRequest();
  const [offer, setOffer] = useState<QuotaRequestOffer | null>(null);
  const [filed, setFiled] = useState<string | null>(null);
  const api = window.cloudrig;

  const check = async (): Promise<void> => {
    const report = await request.run(() => api.runChecks({ region: props.region, instanceType: props.instanceType, spot: props.spot }));
    if (report) props.onReport(report);
  };
  const file = async (quota: QuotaRequestOffer): Promise<void> => {
    const result = await request.run(() => api.requestQuota({ region: quota.region, quotaCode: quota.quotaCode, desired: quota.desired }));
    setOffer(null);
    if (result) {
      setFiled(`Requested ${result.desired} vCPUs (${result.status.toLowerCase()}); AWS answers by email, usually within a day.`);
      await check();
    }
  };

  return (
    <section className="section" aria-labelledby="checks-title">
      <div className="section-head">
        <h2 id="checks-title">Account checks</h2>
        <button type="button" disabled={request.busy} onClick={() => void check()}>{request.busy ? 'Checking…' : 'Run checks'}</button>
      </div>
      {props.report ? (
        <ul className="checks">
          {props.report.checks.map((item) => (
            <li key={item.id} className={`check ${item.status}`}>
              <span className="mark" aria-hidden="true">{MARK[item.status]}</span>
              <div>
                <p className="check-title">{item.title}<span className="visually-hidden"> ({item.status})</span></p>
                <p className="check-detail">{item.detail}</p>
                {item.fix ? <p className="fix">{appFix(item.fix)}</p> : null}
                {item.quotaRequest && offer === null ? (
                  <button type="button" onClick={() => setOffer(item.quotaRequest)}>Request {item.quotaRequest.desired} vCPUs…</button>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {offer ? (
        <div className="confirm" role="alertdialog" aria-labelledby="quota-title" aria-describedby="quota-body">
          <p id="quota-title" className="check-title">File a quota increase with AWS?</p>
          <p id="quota-body">
            Ask AWS to raise "{offer.quotaName}" in {offer.region} from {offer.current} to {offer.desired} vCPUs. This opens a
            request in your account; AWS answers by email.
          </p>
          <div className="actions">
            <button type="button" className="primary" disabled={request.busy} onClick={() => void file(offer)}>File the request</button>
            <button type="button" onClick={() => setOffer(null)}>Cancel</button>
          </div>
        </div>
      ) : null}
      {filed ? <p className="notice" role="status">{filed}</p> : null}
      {offer === null && props.report?.checks.some((item) => item.quota !== undefined && item.status !== 'ok') ? (
        <button type="button" className="link" onClick={() => void request.run(() => api.openLink({ target: 'service-quotas', region: props.region }))}>
          Open Service Quotas in the AWS console
        </button>
      ) : null}
      {request.error ? <ErrorBox error={request.error} title="Checks could not run" /> : null}
    </section>
  );
}
