import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assetPath, CONTENT_SECURITY_POLICY, contentTypeOf, CSP_HEADER } from '../../src/main/app-protocol.js';
import { isAllowedExternal, linkUrl } from '../../src/main/external-links.js';

const ROOT = '/opt/CloudRig/resources/app.asar/out/renderer';

describe('the app:// protocol', () => {
  it('serves files under the renderer directory, index.html for the root', () => {
    expect(assetPath(ROOT, 'app://cloudrig/')).toBe(`${ROOT}/index.html`);
    expect(assetPath(ROOT, 'app://cloudrig/assets/index-abc.js')).toBe(`${ROOT}/assets/index-abc.js`);
    expect(assetPath(ROOT, 'app://evil/index.html')).toBeNull();
    expect(assetPath(ROOT, 'app://cloudrig/assets/..%2f..%2f..%2fmain/index.js')).toBeNull();
  });

  it('refuses other hosts, schemes and every way out of the directory', () => {
    for (const url of [
      'app://evil/index.html',
      'file:///etc/passwd',
      'app://cloudrig/../../../etc/passwd',
      'app://cloudrig/%2e%2e/%2e%2e/etc/passwd',
      'app://cloudrig/assets/..%2f..%2f..%2fmain/index.js',
      'app://cloudrig/a%5c..%5c..%5cetc',
      'app://cloudrig/%00',
      'app://cloudrig/%E0%A4%A',
    ]) {
      // Either refused, or (URL parsing already resolved the dots) a file inside the renderer directory.
      const path = assetPath(ROOT, url);
      expect(path === null || (path.startsWith(`${ROOT}/`) && !path.includes('..')), url).toBe(true);
    }
  });

  it('sends scripts and styles with their types', () => {
    expect(contentTypeOf('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeOf('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('/x/blob')).toBe('application/octet-stream');
  });
});

describe('Content-Security-Policy', () => {
  it('is the same in index.html as in the protocol header', () => {
    const html = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
    expect(CSP_HEADER).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
  });

  it('allows no inline script, no eval and no network', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
  });
});

describe('external links', () => {
  it('builds only the allowlisted https URLs', () => {
    expect(linkUrl('service-quotas', 'eu-west-1')).toBe('https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/ec2/quotas');
    expect(isAllowedExternal(linkUrl('service-quotas', 'eu-west-1'))).toBe(true);
    expect(isAllowedExternal(linkUrl('aws-credentials-help', 'us-east-1'))).toBe(true);
  });

  it('refuses anything else', () => {
    for (const url of [
      'http://docs.aws.amazon.com/',
      'https://evil.example/',
      'https://docs.aws.amazon.com.evil.example/',
      'https://user:pw@docs.aws.amazon.com/',
      'https://docs.aws.amazon.com:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://a.b.console.aws.amazon.com/',
      'not a url',
    ]) expect(isAllowedExternal(url), url).toBe(false);
  });
});
