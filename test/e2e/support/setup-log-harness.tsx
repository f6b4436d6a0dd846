// A page with the popover's workstation panel only, rendered from a WorkstationView and a
// ConnectView the test passes in (made by core's own functions from a snapshot); window.cloudrig
// records each request (`openSetupLog`, `copySetupLogCommand`, `dismissSetupSuggestion`, `confirm`).
import { createRoot, type Root } from 'react-dom/client';
import { WorkstationPanel } from '../../../src/renderer/components/workstation-panel.js';
import type { ConnectView, WorkstationView } from '../../../src/shared/views.js';

let root: Root | null = null;
const page = globalThis as unknown as {
  document: { getElementById(id: string): Element | null };
  renderPanel(view: WorkstationView, connect: ConnectView): void;
  intents: string[];
  cloudrig: unknown;
};
page.intents = [];
const ok = (intent: string) => async () => {
  page.intents.push(intent);
  return { ok: true, value: null };
};
page.cloudrig = new Proxy({}, { get: (_target, name) => ok(String(name)) });

page.renderPanel = (view, connect) => {
  const host = page.document.getElementById('root');
  if (!host) throw new Error('no #root');
  root ??= createRoot(host);
  root.render(
    <WorkstationPanel view={view} connect={connect} reminder={null} notice={null} confirming={false}
      onConfirm={(open) => page.intents.push(`confirm:${open}`)} onSettings={() => undefined} />,
  );
};
