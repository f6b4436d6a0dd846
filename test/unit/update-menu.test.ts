import { describe, expect, it } from 'vitest';
import { trayModel } from '../../src/core/tray-model.js';
import { updateBlocker, withUpdateItem } from '../../src/core/update-menu.js';
import { defaultSettings } from '../../src/shared/settings.js';

const NOW = Date.UTC(2026, 11, 6, 12);
const base = trayModel(null, defaultSettings(), NOW);
const labels = (model: ReturnType<typeof trayModel>) => model.menu.map((item) => (item.kind === 'separator' ? '—' : `${item.label}${item.kind === 'action' && !item.enabled ? ' (off)' : ''}`));

describe('the tray\'s update item', () => {
  it('is not there until an update is downloaded and verified', () => {
    expect(withUpdateItem(base, null, null)).toBe(base);
    expect(updateBlocker(null, null)).toBe('nothing-downloaded');
  });

  it('offers the restart just above Quit once an update is ready and nothing runs', () => {
    expect(labels(withUpdateItem(base, '0.2.0', null)).slice(-3)).toEqual(['—', 'Restart to update to 0.2.0', 'Quit CloudRig']);
    expect(updateBlocker('0.2.0', null)).toBeNull();
  });

  it('waits, saying for what, while an operation runs', () => {
    for (const [kind, words] of [['up', 'starting'], ['stop', 'stopping'], ['down', 'terminating']] as const) {
      const model = withUpdateItem(base, '0.2.0', { workstation: 'gpu', kind });
      expect(labels(model).at(-2)).toBe(`Restart to update to 0.2.0 (after gpu finishes ${words}) (off)`);
      expect(updateBlocker('0.2.0', { workstation: 'gpu', kind })).toBe('operation-under-way');
    }
  });

  it('shows the version without a leading v, and a hostile workstation name escaped', () => {
    const model = withUpdateItem(base, 'v1.0.0', { workstation: 'gpu\u001b[2J', kind: 'up' });
    expect(labels(model).at(-2)).toBe('Restart to update to 1.0.0 (after gpu\\e[2J finishes starting) (off)');
  });
});
