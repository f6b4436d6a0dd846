// A page with the popover's connect section only, rendered from a ConnectView the test passes in;
// window.cloudrig records each request it is asked for (`openJupyter`, `closeTunnel:8888`, …)
// and answers the VS Code request with the error main gives without the ssh-config include.
import { ConnectActions, ConnectSection } from '../../../src/renderer/components/connect-section.js';
import type { ConnectView } from '../../../src/shared/views.js';
import { harnessPage, mount, recorder } from './harness-page.js';

const page = harnessPage<{ renderConnect(view: ConnectView, ready: boolean): void }>();
const ok = recorder(page);
page.cloudrig = {
  openJupyter: ok('openJupyter'),
  openTensorBoard: ok('openTensorBoard'),
  browseTunnel: async ({ localPort }: { localPort: number }) => ok(`browseTunnel:${localPort}`)(),
  closeTunnel: async ({ localPort }: { localPort: number }) => ok(`closeTunnel:${localPort}`)(),
  openInVsCode: async () => {
    page.intents.push('openInVsCode');
    return {
      ok: false,
      error: {
        code: 'SshConfigNotIncluded',
        message: 'The editor reaches gpu as `ssh gpu`, which needs CloudRig\'s ssh config included from ~/.ssh/config.',
        fix: { action: 'install-ssh-config' },
      },
    };
  },
};

page.renderConnect = (view, ready) => {
  // Open in VS Code and Open Jupyter sit at the top of the popover, beside Start/Stop, once ready.
  mount(page).render(
    <main className="panel">
      {ready ? <div className="actions primary-actions"><ConnectActions connect={view} /></div> : null}
      <ConnectSection connect={view} ready={ready} />
    </main>,
  );
};
