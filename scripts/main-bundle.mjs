// The tray app's main process is bundled with its dependencies, as `rig` is (node-bundle.mjs), so
// the app loads what it uses and nothing else: the SDK's ES modules (unused commands and shapes
// dropped), zod's used parts, no module resolution in node_modules at start. These are the
// Vite/Rolldown counterparts of node-bundle.mjs's esbuild plugins, used by electron.vite.config.ts
// and by the bench, which builds its watcher child with the app's own main config. Rolldown needs
// no counterpart of `sdkSchemaLiteralKeys`: it drops the SDK's unused schemas with their computed
// keys as written (a key naming a module's string constant cannot run code).

/** What the main process leaves out of its bundle: Electron (the runtime provides it; Node's built-ins are left out by electron-vite). */
export const mainExternals = ['electron', /^electron\/.+/];

/**
 * ssh2's optional native add-ons stay out, their `require` as written: each sits in a try/catch
 * that falls back to JavaScript, as in `rig` (a resolved path would point into this machine's
 * node_modules).
 */
export function nativeAddonsLeftOutPlugin() {
  return {
    name: 'native-addons-left-out',
    enforce: 'pre',
    resolveId(source) {
      return source === 'cpu-features' || source.endsWith('.node') ? { id: source, external: true } : null;
    },
  };
}

const HTTP_BY_REQUIRE = '\0builtin-by-require:';

/**
 * See `builtinsByRequire` in node-bundle.mjs: the SDK's `await import('node:http')` (an http://
 * endpoint) becomes a require, which does not build the module's ES facade and so does not compile
 * Node's bundled undici.
 */
export function builtinsByRequirePlugin() {
  return {
    name: 'dynamic-http-import-by-require',
    enforce: 'pre',
    resolveId(source, _importer, options) {
      if (options?.kind !== 'dynamic-import' || !/^(node:)?https?$/.test(source)) return null;
      return `${HTTP_BY_REQUIRE}${source.replace(/^(node:)?/, 'node:')}`;
    },
    load(id) {
      if (!id.startsWith(HTTP_BY_REQUIRE)) return null;
      // Only what the SDK's dynamic imports read: reading every export would compile undici.
      return [
        `import { createRequire } from 'node:module';`,
        `const http = createRequire(import.meta.url)(${JSON.stringify(id.slice(HTTP_BY_REQUIRE.length))});`,
        'export default http;',
        'export const Agent = http.Agent, request = http.request;',
        '',
      ].join('\n');
    },
  };
}
