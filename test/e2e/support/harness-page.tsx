// What every component harness page shares: the #root to render into (one React root, made once),
// the requests the page was asked for, in order (`intents`), and window.cloudrig.
import { createRoot, type Root } from 'react-dom/client';

export type HarnessPage<Extra> = Extra & {
  document: { getElementById(id: string): Element | null };
  intents: string[];
  cloudrig: unknown;
};

/** This page's globals, with no intents recorded yet. */
export function harnessPage<Extra>(): HarnessPage<Extra> {
  const page = globalThis as unknown as HarnessPage<Extra>;
  page.intents = [];
  return page;
}

/** A window.cloudrig request that records `intent` and answers like main does when it succeeds. */
export function recorder(page: { intents: string[] }): (intent: string) => () => Promise<{ ok: true; value: null }> {
  return (intent) => async () => {
    page.intents.push(intent);
    return { ok: true, value: null };
  };
}

let root: Root | null = null;

/** The page's React root on #root. */
export function mount(page: { document: { getElementById(id: string): Element | null } }): Root {
  const host = page.document.getElementById('root');
  if (!host) throw new Error('no #root');
  root ??= createRoot(host);
  return root;
}
