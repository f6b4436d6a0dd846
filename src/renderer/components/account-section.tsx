import { useState } from 'react';
import type { SettingsView } from '../../shared/views.js';
import { appFix } from '../../shared/app-fix-wording.js';
import { useRequest } from '../use-request.js';
import { ErrorBox } from './error-box.js';

/** The AWS identity: a profile from ~/.aws, or access keys stored encrypted (never shown again). */
export function AccountSection(props: { settings: SettingsView; onSettings: (settings: SettingsView) => void }) {
  const { settings } = props;
  const request = useRequest();
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const api = window.cloudrig;

  const apply = (next: SettingsView | null): void => {
    if (next) props.onSettings(next);
  };

  return (
    <section className="section" aria-labelledby="account-title">
      <h2 id="account-title">AWS account</h2>
      <label className="field">
        <span>Profile</span>
        <select
          value={settings.profile ?? ''}
          disabled={request.busy}
          onChange={(event) => void request.run(() => api.updateSettings({ profile: event.target.value || null })).then(apply)}
        >
          <option value="">Default (environment, ~/.aws default, SSO)</option>
          {settings.profiles.map((name) => <option key={name} value={name}>{name}</option>)}
          {settings.profile && !settings.profiles.includes(settings.profile) ? <option value={settings.profile}>{settings.profile}</option> : null}
        </select>
      </label>

      {settings.hasStoredKeys ? (
        <div className="row">
          <p>Access keys are stored, encrypted by the system keychain; they take precedence over the profile.</p>
          <button type="button" disabled={request.busy} onClick={() => void request.run(() => api.clearAccessKeys()).then(apply)}>Remove keys</button>
        </div>
      ) : settings.keyStorage.available ? (
        <details>
          <summary>Use access keys instead</summary>
          <form
            className="stack"
            onSubmit={(event) => {
              event.preventDefault();
              void request.run(() => api.saveAccessKeys({ accessKeyId, secretAccessKey })).then((next) => {
                if (next) {
                  setAccessKeyId('');
                  setSecretAccessKey('');
                }
                apply(next);
              });
            }}
          >
            <label className="field"><span>Access key id</span>
              <input value={accessKeyId} autoComplete="off" spellCheck={false} onChange={(event) => setAccessKeyId(event.target.value)} required />
            </label>
            <label className="field"><span>Secret access key</span>
              <input type="password" value={secretAccessKey} autoComplete="off" onChange={(event) => setSecretAccessKey(event.target.value)} required />
            </label>
            <button type="submit" disabled={request.busy}>Save keys (encrypted)</button>
          </form>
        </details>
      ) : (
        <p className="hint">{settings.keyStorage.reason} {appFix({ action: 'use-aws-profile' })}</p>
      )}
      <button type="button" className="link" onClick={() => void request.run(() => api.openLink({ target: 'aws-credentials-help', region: 'us-east-1' }))}>
        How to set up an AWS profile
      </button>
      {request.error ? <ErrorBox error={request.error} title="Could not change the account" /> : null}
    </section>
  );
}
