import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { builtinsRequiredPlugin, confWithoutValidatorPlugin, latin1SourcesPlugin, mainExternals, moduleBodyRunsOncePlugin, nativeAddonsLeftOutPlugin, sshLazyBuiltinsPlugin, sshWithoutPoly1305Plugin } from './scripts/main-bundle.mjs';

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
    // Dependencies bundled, as `rig` is (scripts/main-bundle.mjs): the watcher's memory is what it
    // uses, not the SDK's whole CommonJS build (docs/benchmarks.md, "Watcher footprint").
    plugins: [nativeAddonsLeftOutPlugin(), confWithoutValidatorPlugin(), sshWithoutPoly1305Plugin(), sshLazyBuiltinsPlugin(), builtinsRequiredPlugin(), moduleBodyRunsOncePlugin(), latin1SourcesPlugin()],
    build: {
      externalizeDeps: false,
      minify: true,
      // The entry is start.ts (V8's memory settings, then index.ts, the composition root).
      rolldownOptions: { input: { index: resolve('src/main/start.ts') }, external: mainExternals },
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
    // The popover is written against React's API but ships Preact's compat layer: a tenth of the
    // JavaScript to parse, so the first snapshot paints sooner (see docs/benchmarks.md).
    resolve: {
      alias: [
        { find: /^react$/, replacement: 'preact/compat' },
        { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
        { find: /^react-dom$/, replacement: 'preact/compat' },
        { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
        { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
      ],
    },
    build: {
      outDir: resolve('out/renderer'),
      minify: true,
      // The CSP allows no inline script: no modulepreload polyfill snippet.
      modulePreload: { polyfill: false },
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
