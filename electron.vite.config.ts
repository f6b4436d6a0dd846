import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

/**
 * `electron-vite dev` only: the dev server injects an inline React Refresh preamble and talks to
 * the page over a websocket, which the production CSP forbids. Builds keep the strict policy.
 */
function devServerCsp(): Plugin {
  return {
    name: 'cloudrig-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace("connect-src 'none'", "connect-src 'self' ws:"),
  };
}

// Main (ESM) and preload (CommonJS: a sandboxed renderer cannot load an ESM preload) bundle from
// src/main and src/preload; the popover is a React app in src/renderer, built to out/renderer.
export default defineConfig({
  main: {
    build: {
      rolldownOptions: { input: { index: resolve('src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // Sandboxed preloads can require only electron: bundle everything else (zod, the contract).
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [react(), devServerCsp()],
    build: {
      outDir: resolve('out/renderer'),
      minify: true,
      // The CSP allows no inline script: no modulepreload polyfill snippet.
      modulePreload: { polyfill: false },
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
