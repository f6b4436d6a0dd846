import { describe, expect, it } from 'vitest';
import { checkedRemoteFolder, defaultRemoteFolder, folderBasename, pushResultLine } from '../../src/core/app/project-push.js';
import { CloudRigError } from '../../src/core/errors.js';
import { reopenProblem } from '../../src/core/app/tunnel-reopen.js';
import { appFix } from '../../src/shared/app-fix-wording.js';

describe('the push folder, as the popover words it', () => {
  it('goes to ~/<its name> by default, from a macOS, Linux or Windows path', () => {
    expect(folderBasename('/Users/me/projects/model/')).toBe('model');
    expect(defaultRemoteFolder('/home/me/model')).toBe('~/model');
    expect(defaultRemoteFolder('C:\\Users\\me\\Deep Learning')).toBe('~/Deep Learning');
    expect(defaultRemoteFolder('/')).toBe('~');
  });

  it('takes another remote folder as typed, empty meaning the default; a control character is refused with its fix', () => {
    expect(checkedRemoteFolder('  /data/model ', '/home/me/model')).toBe('/data/model');
    expect(checkedRemoteFolder('', '/home/me/model')).toBe('~/model');
    expect(() => checkedRemoteFolder('~/a\nb', '/home/me/model')).toThrow(expect.objectContaining({ code: 'InvalidInput', fix: expect.objectContaining({ field: 'folder' }) }));
  });

  it('says what a push did: how many files and bytes, or up to date', () => {
    expect(pushResultLine({ copied: ['a', 'b'], skipped: 0, ignored: 3, bytes: 3_565_158, kept: [] })).toBe('Pushed 2 files (3.4 MiB)');
    expect(pushResultLine({ copied: ['a'], skipped: 2, ignored: 0, bytes: 26, kept: [] })).toBe('Pushed 1 file (26 B), 2 unchanged');
    expect(pushResultLine({ copied: [], skipped: 1, ignored: 0, bytes: 0, kept: [] })).toBe('Up to date (1 file unchanged)');
    expect(pushResultLine({ copied: [], skipped: 0, ignored: 0, bytes: 0, kept: [] })).toBe('Up to date');
    expect(pushResultLine({ copied: ['a'], skipped: 0, ignored: 0, bytes: 2, kept: [{ path: 'b', reason: 'newer' }] }))
      .toBe('Pushed 1 file (2 B); 1 newer on the workstation kept');
  });
});

describe('a tunnel that could not re-open', () => {
  const tunnel = { label: 'tensorboard', localPort: 6006, remoteHost: 'localhost', remotePort: 6006 };

  it('names the taken port and what to do', () => {
    const problem = reopenProblem(tunnel, new CloudRigError('PortInUse', 'Port 6006 is already in use on this computer.', { action: 'use-another-port', localPort: 6006, remotePort: 6006, reopening: false }));
    expect(problem).toMatchObject({ label: 'tensorboard', localPort: 6006, error: { code: 'PortInUse', message: 'Could not re-open the tensorboard tunnel: port 6006 is in use on this computer.' } });
    expect(problem.error.fix).toEqual({ action: 'use-another-port', localPort: 6006, remotePort: null, reopening: true });
    expect(appFix(problem.error.fix)).toBe('Close what uses port 6006 here and open the tunnel again from the popover, or press Forget to stop re-opening it.');
  });

  it('keeps any other error with its own fix', () => {
    const problem = reopenProblem({ ...tunnel, label: null, remotePort: 8080 }, new CloudRigError('TunnelFailed', 'Could not listen.', { action: 'use-another-port', localPort: 8080, remotePort: null, reopening: false }));
    expect(problem).toMatchObject({ label: 'port 8080', error: { code: 'TunnelFailed', message: 'Could not re-open the port 8080 tunnel: Could not listen.' } });
  });
});
