/** A rectangle in screen coordinates. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const GAP = 4;

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}

/**
 * Where the popover goes: centred under the tray icon when the icon is in the top half of the
 * screen (macOS menu bar, top panels), above it otherwise (Windows taskbar), kept inside the work
 * area. Without icon bounds (some Linux trays report none) it goes to the work area's top right.
 */
export function popoverPosition(anchor: Rect | null, size: { readonly width: number; readonly height: number }, workArea: Rect): { x: number; y: number } {
  const right = workArea.x + workArea.width - size.width;
  const bottom = workArea.y + workArea.height - size.height;
  if (!anchor || (anchor.width === 0 && anchor.height === 0)) {
    return { x: Math.round(clamp(right - GAP, workArea.x, right)), y: Math.round(workArea.y + GAP) };
  }
  const x = anchor.x + anchor.width / 2 - size.width / 2;
  const below = anchor.y + anchor.height / 2 < workArea.y + workArea.height / 2;
  const y = below ? anchor.y + anchor.height + GAP : anchor.y - size.height - GAP;
  return { x: Math.round(clamp(x, workArea.x, right)), y: Math.round(clamp(y, workArea.y, bottom)) };
}
