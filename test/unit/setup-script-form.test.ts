import { describe, expect, it } from 'vitest';
import { requestOfForm } from '../../src/core/app/workstation-setup.js';
import { WorkstationFormSchema } from '../../src/shared/workstation-form.js';

const FORM = {
  name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', imageKind: 'parameter' as const, image: '/aws/service/x', diskGiB: 100, spot: false,
  sshUser: 'ubuntu', sshHost: '', sshPort: 22, ingressCidr: 'auto', autoStopEnabled: true, autoStopMinutes: 60,
};

describe('the settings form\'s setup script field', () => {
  it('passes the shared schema, and an empty field clears the script while a missing one keeps it', () => {
    expect(WorkstationFormSchema.safeParse({ ...FORM, setupScript: 'pip install torch\n' }).success).toBe(true);
    expect(requestOfForm({ ...FORM, setupScript: 'pip install torch\n' }).setupScript).toBe('pip install torch\n');
    expect(requestOfForm({ ...FORM, setupScript: '' }).setupScript).toBeNull();
    expect('setupScript' in requestOfForm(FORM)).toBe(false);
  });

  it('refuses a blank script, a NUL byte and one too big for the user data, saying why', () => {
    const issue = (setupScript: string): string | undefined => WorkstationFormSchema.safeParse({ ...FORM, setupScript }).error?.issues[0]?.message;
    expect(issue('   \n')).toMatch(/is empty/);
    expect(issue('echo\0')).toMatch(/NUL byte/);
    expect(issue('x'.repeat(64 * 1024))).toMatch(/is over \d+ bytes/);
  });
});
