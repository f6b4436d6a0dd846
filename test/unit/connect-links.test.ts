import { describe, expect, it } from 'vitest';
import { remoteFolderUri, vscodeLink } from '../../src/core/app/connect.js';
import { gpuLine } from '../../src/core/app/app-connect.js';
import { isAllowedExternal } from '../../src/main/external-links.js';

describe('links the app opens for a workstation', () => {
  it('admits a loopback forward and a Remote-SSH folder on an alias', () => {
    expect(isAllowedExternal('http://127.0.0.1:8888/lab?token=abc')).toBe(true);
    expect(isAllowedExternal(vscodeLink(remoteFolderUri('gpu-box', '/home/ubuntu')))).toBe(true);
    expect(vscodeLink(remoteFolderUri('gpu', '/home/ubuntu/my project'))).toBe('vscode://vscode-remote/ssh-remote+gpu/home/ubuntu/my%20project');
  });

  it('refuses other http, hosts, ports left out, credentials and other vscode links', () => {
    for (const url of [
      'http://localhost:8888/',
      'http://127.0.0.1/',
      'http://10.0.0.1:8888/',
      'http://user:pw@127.0.0.1:8888/',
      'vscode://vscode-remote/wsl+Ubuntu/home',
      'vscode://ms-vscode.extension/run',
      'vscode://vscode-remote/ssh-remote+Evil;rm/x',
      'vscode-remote://ssh-remote+gpu/home/ubuntu',
    ]) expect(isAllowedExternal(url), url).toBe(false);
  });

  it('words the tooltip GPU line from GPU 0, and says when there are no readings', () => {
    expect(gpuLine({ gpus: [{ index: 0, utilizationPercent: 87, memoryUsedMiB: 31_744, memoryTotalMiB: 81_920, temperatureC: 71, powerW: 250 }], note: null, history: [87], error: null }))
      .toBe('GPU 87% · 31.0 / 80 GiB · 71 °C');
    expect(gpuLine({ gpus: null, note: 'No nvidia-smi on the workstation', history: [], error: null })).toBe('GPU: no readings');
    expect(gpuLine(null)).toBeNull();
  });
});
