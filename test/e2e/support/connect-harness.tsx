// A page with the popover's connect section only, rendered from a ConnectView the test passes in;
// window.cloudrig records each request it is asked for (`openJupyter`, `closeTunnel:8888`, …)
// and answers the VS Code request with the error main gives without the ssh-config include.
import { createRoot, type Root } from 'react-dom/client';
import { ConnectSection } from '../../../src/renderer/components/connect-section.js';
import type { ConnectView } from '../../../src/shared/views.js';

let root: Root | null = null;
const page = globalThis as unknown as {
  document: { getElementById(id: string): Element | null };
  renderConnect(view: ConnectView, ready: boolean): void;
  intents: string[];
  cloudrig: unknown;
};
page.intents = [];
const ok = (intent: string) => async () => {
  page.intents.push(intent);
  return { ok: true, value: null };
};
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
  const host = page.document.getElementById('root');
  if (!host) throw new Error('no #root');
  root ??= createRoot(host);
  root.render(<main className="panel"><ConnectSection connect={view} ready={ready} /></main>);
};
