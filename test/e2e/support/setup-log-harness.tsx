// A page with the popover's workstation panel only, rendered from a WorkstationView and a
// ConnectView the test passes in (made by core's own functions from a snapshot); window.cloudrig
// records each request (`openSetupLog`, `copySetupLogCommand`, `dismissSetupSuggestion`, `confirm`).
import { WorkstationPanel } from '../../../src/renderer/components/workstation-panel.js';
import type { ConnectView, WorkstationView } from '../../../src/shared/views.js';
import { harnessPage, mount, recorder } from './harness-page.js';

const page = harnessPage<{ renderPanel(view: WorkstationView, connect: ConnectView): void }>();
const ok = recorder(page);
page.cloudrig = new Proxy({}, { get: (_target, name) => ok(String(name)) });

page.renderPanel = (view, connect) => {
  mount(page).render(
    <WorkstationPanel view={view} connect={connect} reminder={null} notice={null} confirming={false}
      onConfirm={(open) => page.intents.push(`confirm:${open}`)} onSettings={() => undefined} />,
  );
};
