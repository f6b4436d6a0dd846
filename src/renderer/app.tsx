import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { AppView, Screen } from '../shared/views.js';
import { ElsewhereList } from './components/elsewhere-list.js';
import { IdleList } from './components/idle-list.js';
import { ErrorBox } from './components/error-box.js';
import { FleetSwitcher } from './components/fleet-switcher.js';
import { SpendChart } from './components/spend-chart.js';
import { SettingsPanel } from './components/settings-panel.js';
import { WorkstationPanel } from './components/workstation-panel.js';
import type { ErrorInfo } from '../shared/workstation.js';

/** The popover: renders the views main pushes and sends intents back; it decides nothing itself. */
export function App() {
  const [view, setView] = useState<AppView | null>(null);
  const [screen, setScreen] = useState<Screen>('main');
  const [error, setError] = useState<ErrorInfo | null>(null);

  // A layout effect runs as the first render commits, before the browser paints it: the view is
  // asked for at once, not a frame later (a passive effect waits for the next frame), so the
  // snapshot is usually in the first frame painted instead of "Loading…" (docs/benchmarks.md).
  useLayoutEffect(() => {
    const api = window.cloudrig;
    const offView = api.onView(setView);
    const offScreen = api.onScreen(setScreen);
    void api.getView().then((result) => (result.ok ? setView(result.value) : setError(result.error)));
    return () => {
      offView();
      offScreen();
    };
  }, []);

  // A new screen starts at its top: coming back from a scrolled Settings must not leave the
  // workstation's state and actions above the fold.
  const shownScreen = view?.screen === 'setup' ? 'setup' : screen;
  useEffect(() => window.scrollTo(0, 0), [shownScreen]);

  // Read at key time, not captured: a key pressed right after a screen change must see the new
  // screen even before effects have run again.
  const screenNow = useRef(screen);
  screenNow.current = screen;
  useEffect(() => {
    // Escape backs out of a confirmation or settings first, then hides the popover.
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      if (screenNow.current !== 'main') setScreen('main');
      else void window.cloudrig.hideWindow();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (error) return <main className="panel"><ErrorBox error={error} title="CloudRig could not load" /></main>;
  if (!view) return <main className="panel"><p className="detail">Loading…</p></main>;
  if (view.screen === 'setup') return <SettingsPanel mode="setup" onDone={() => setScreen('main')} />;
  if (screen === 'settings') return <SettingsPanel mode="edit" onDone={() => setScreen('main')} />;
  if (!view.workstation) return <main className="panel"><p className="detail">Checking AWS…</p></main>;
  return (
    <WorkstationPanel
      view={view.workstation}
      reminder={view.reminder}
      notice={view.notice}
      connect={view.connect ?? null}
      confirming={screen === 'confirm-terminate' || screen === 'confirm-save-and-terminate'}
      onConfirm={(open) => setScreen(open ? 'confirm-terminate' : 'main')}
      onSettings={() => setScreen('settings')}
      above={view.fleet ? <FleetSwitcher fleet={view.fleet} busy={false} onSelect={(name) => void window.cloudrig.selectWorkstation({ name })} /> : null}
      underCost={view.spendChart ? <SpendChart chart={view.spendChart} /> : null}
      below={view.elsewhere ? (
        <>
          <ElsewhereList
            view={view.elsewhere}
            onShowInConsole={(instanceId) => void window.cloudrig.openForgottenInConsole({ instanceId })}
            onDismiss={(instanceId) => void window.cloudrig.dismissForgotten({ instanceId })}
          />
          {view.elsewhere.idle ? <IdleList view={view.elsewhere.idle} /> : null}
        </>
      ) : null}
    />
  );
}
