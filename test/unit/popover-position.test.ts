import { describe, expect, it } from 'vitest';
import { popoverPosition } from '../../src/core/popover-position.js';

const SIZE = { width: 380, height: 560 };

describe('popoverPosition', () => {
  it('hangs the popover under a menu-bar icon, centred on it', () => {
    const workArea = { x: 0, y: 25, width: 1440, height: 875 };
    expect(popoverPosition({ x: 1000, y: 0, width: 24, height: 24 }, SIZE, workArea)).toEqual({ x: 822, y: 28 });
  });

  it('puts it above a taskbar icon at the bottom of the screen', () => {
    const workArea = { x: 0, y: 0, width: 1920, height: 1040 };
    expect(popoverPosition({ x: 1700, y: 1045, width: 24, height: 30 }, SIZE, workArea)).toEqual({ x: 1522, y: 480 });
  });

  it('keeps it inside the work area near a screen edge', () => {
    const workArea = { x: 0, y: 25, width: 1440, height: 875 };
    expect(popoverPosition({ x: 1420, y: 0, width: 20, height: 22 }, SIZE, workArea).x).toBe(1060);
  });

  it('uses the top right of the work area when the tray reports no bounds (some Linux panels)', () => {
    const workArea = { x: 0, y: 32, width: 1920, height: 1048 };
    expect(popoverPosition({ x: 0, y: 0, width: 0, height: 0 }, SIZE, workArea)).toEqual({ x: 1536, y: 36 });
    expect(popoverPosition(null, SIZE, workArea)).toEqual({ x: 1536, y: 36 });
  });
});
