import { describe, expect, it } from 'vitest';
import { findJupyter, jupyterUrl, openTunnels, parseJupyterServers, parseTunnelSpec, parseTunnelSpecs, type OpenTunnel, type PortForwarder, type TunnelSpec } from '../../src/core/app/tunnels.js';
import { splitNameAndPorts } from '../../src/cli/tunnel-command.js';
import { splitNameAndPaths } from '../../src/cli/files-command.js';
import { fixWorded } from '../support/fix-matchers.js';

describe('tunnel specs', () => {
  it('reads PORT, LOCAL:REMOTE, LOCAL:HOST:REMOTE and the presets', () => {
    expect(parseTunnelSpec('8888')).toEqual({ localPort: 8888, remoteHost: 'localhost', remotePort: 8888, label: null });
    expect(parseTunnelSpec('9000:8888')).toEqual({ localPort: 9000, remoteHost: 'localhost', remotePort: 8888, label: null });
    expect(parseTunnelSpec('5433:db.internal:5432')).toEqual({ localPort: 5433, remoteHost: 'db.internal', remotePort: 5432, label: null });
    expect(parseTunnelSpec('jupyter')).toEqual({ localPort: 8888, remoteHost: 'localhost', remotePort: 8888, label: 'jupyter' });
    expect(parseTunnelSpec('tensorboard')).toMatchObject({ localPort: 6006, remotePort: 6006 });
  });

  it('refuses what is not a port, a host that could be read as an option, and a local port given twice', () => {
    for (const bad of ['0', '65536', 'http', '8888:', '1:-oProxyCommand=x:2', '1:a b:2', '1:2:3:4']) {
      expect(() => parseTunnelSpec(bad), bad).toThrow(/is not a port to forward/);
    }
    expect(() => parseTunnelSpecs(['8888', 'jupyter'])).toThrow(/Local port 8888 is given twice/);
    expect(() => parseTunnelSpecs([])).toThrow(/No port to forward/);
  });

  it('tells a workstation name from a port: `rig tunnel gpu 8888`, `rig tunnel 8888`, `rig tunnel jupyter`', () => {
    expect(splitNameAndPorts(['gpu', '8888'], ['gpu'])).toEqual({ name: 'gpu', ports: ['8888'] });
    expect(splitNameAndPorts(['8888', '6006'], ['gpu'])).toEqual({ name: undefined, ports: ['8888', '6006'] });
    expect(splitNameAndPorts(['jupyter'], ['jupyter'])).toEqual({ name: undefined, ports: ['jupyter'] });
    expect(splitNameAndPorts(['jupyter', 'tensorboard'], ['jupyter'])).toEqual({ name: 'jupyter', ports: ['tensorboard'] });
    expect(() => splitNameAndPorts(['Bad Name', '1'], [])).toThrow(/not a usable workstation name/);
  });

  it('tells a workstation name from a path: `rig push gpu ./p`, `rig push ./p ~/p`', () => {
    expect(splitNameAndPaths(['gpu', './p'], ['gpu'])).toEqual({ name: 'gpu', paths: ['./p'] });
    expect(splitNameAndPaths(['./p', '~/p'], ['gpu'])).toEqual({ name: undefined, paths: ['./p', '~/p'] });
    expect(splitNameAndPaths(['gpu'], ['gpu'])).toEqual({ name: undefined, paths: ['gpu'] });
    expect(splitNameAndPaths(['foo', './p', '~/p'], ['gpu'])).toEqual({ name: 'foo', paths: ['./p', '~/p'] });
  });

  it('opens every forward or none: when one port is taken, those already open are closed', async () => {
    const closed: number[] = [];
    const forwarder: PortForwarder = {
      open: async (spec: TunnelSpec): Promise<OpenTunnel> => {
        if (spec.localPort === 6006) throw new Error('port taken');
        return { spec, localPort: spec.localPort, close: async () => void closed.push(spec.localPort) };
      },
    };
    await expect(openTunnels(forwarder, parseTunnelSpecs(['8888', '6006']))).rejects.toThrow('port taken');
    expect(closed).toEqual([8888]);
  });
});

describe('Jupyter', () => {
  it('finds servers in `jupyter server list --json` lines, with their token', () => {
    const stdout = [
      '{"base_url": "/", "hostname": "localhost", "password": false, "pid": 1234, "port": 8888, "root_dir": "/home/ubuntu", "secure": false, "sock": "", "token": "0a1b2c", "url": "http://localhost:8888/", "version": "2.14.2"}',
      '{"base_url": "/lab/", "hostname": "0.0.0.0", "pid": 99, "port": 8890, "token": "", "url": "http://0.0.0.0:8890/lab/"}',
    ].join('\n');
    const servers = parseJupyterServers(stdout);
    expect(servers).toEqual([
      { host: 'localhost', port: 8888, basePath: '/', token: '0a1b2c' },
      { host: 'localhost', port: 8890, basePath: '/lab/', token: null },
    ]);
    expect(jupyterUrl(servers[0]!, 18888)).toBe('http://127.0.0.1:18888/?token=0a1b2c');
    expect(jupyterUrl(servers[1]!, 8890)).toBe('http://127.0.0.1:8890/lab/');
  });

  it('reads the classic `jupyter notebook list` text when there is no JSON', () => {
    const stdout = 'Currently running servers:\nhttp://localhost:8888/?token=abc%2Fdef :: /home/ubuntu/work\n';
    expect(parseJupyterServers(stdout)).toEqual([{ host: 'localhost', port: 8888, basePath: '/', token: 'abc/def' }]);
  });

  it('none running: an error that names the command to start one', async () => {
    const shell = { exec: async () => ({ code: 0, stdout: 'Currently running servers:\n', stderr: '' }) };
    await expect(findJupyter(shell, 'gpu')).rejects.toMatchObject({
      code: 'NoJupyter',
      message: 'No Jupyter server is running on workstation gpu.',
      fix: fixWorded('cli', '`rig ssh gpu -- jupyter lab --no-browser --port 8888`'),
    });
    await expect(findJupyter(shell, 'gpu')).rejects.toMatchObject({ fix: fixWorded('app', /^Start Jupyter on the box, listening on port 8888 .*press Open Jupyter again\.$/) });
  });
});
