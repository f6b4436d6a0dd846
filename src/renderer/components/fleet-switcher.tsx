import type { FleetView } from '../../shared/views.js';

/** The workstation switcher: every workstation with its state, last used first; a click shows that one. */
export function FleetSwitcher({ fleet, busy, onSelect }: { fleet: FleetView; busy: boolean; onSelect: (name: string) => void }) {
  return (
    <nav className="fleet" aria-label="Workstations" data-testid="fleet">
      <p className="hint" data-testid="fleet-summary">{fleet.summary}</p>
      <ul role="list">
        {fleet.entries.map((entry) => (
          <li key={entry.name}>
            <button
              type="button"
              className={`fleet-entry${entry.current ? ' current' : ''}${entry.running ? ' running' : ''}`}
              aria-current={entry.current ? 'true' : undefined}
              disabled={busy || entry.current}
              data-testid="fleet-entry"
              onClick={() => onSelect(entry.name)}
            >
              <span className="name">{entry.name}</span> <span className="state">{entry.state}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
