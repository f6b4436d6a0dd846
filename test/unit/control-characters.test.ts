import { describe, expect, it } from 'vitest';
import { remoteFolder } from '../../src/core/app/connect.js';
import { checkedRemoteFolder } from '../../src/core/app/project-push.js';
import { sshPathValue } from '../../src/core/ssh-command.js';
import { quotePath } from '../../src/core/ssh-config.js';
import { TERMINALS, terminalLaunch } from '../../src/core/terminal-command.js';

// Every place that refuses a name or path with a control character asks the one check in
// src/shared/untrusted-text.ts, so each refuses the same set: C0, DEL and the C1 range, where a lone
// 0x9b is CSI on some terminals (the copies each had stopped at DEL).
const CSI = '\u009b';
const windowsTerminal = TERMINALS.win32.find((app) => app.id === 'cmd');

describe('a C1 control character (8-bit CSI) is refused wherever a control character is', () => {
  const refusals: readonly (readonly [string, () => unknown])[] = [
    ['a remote folder to connect to', () => remoteFolder(`/data${CSI}2J`, 'ubuntu')],
    ['the remote folder of a push', () => checkedRemoteFolder(`~/project${CSI}2J`, '/home/me/project')],
    ['a path written into the ssh config', () => quotePath(`/home/me/.cloudrig/keys/gpu${CSI}2J`)],
    ['a path given to ssh -i', () => sshPathValue(`/home/me/keys/gpu${CSI}2J`)],
    ['an argument for a Windows terminal', () => (windowsTerminal ? terminalLaunch(windowsTerminal, ['ssh', `-i${CSI}2J`], 't') : null)],
  ];

  it.each(refusals)('%s', (_where, call) => {
    expect(call).toThrow(expect.objectContaining({ code: expect.any(String) }));
  });

  it('the same values without the control character are accepted', () => {
    expect(remoteFolder('/data', 'ubuntu')).toBe('/data');
    expect(checkedRemoteFolder('~/project', '/home/me/project')).toBe('~/project');
    expect(quotePath('/home/me/.cloudrig/keys/gpu')).toBe('"/home/me/.cloudrig/keys/gpu"');
    expect(sshPathValue('/home/me/keys/gpu')).toBe('/home/me/keys/gpu');
    expect(windowsTerminal).toBeDefined();
  });
});
