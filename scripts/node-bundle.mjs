// esbuild options shared by everything bundled for plain Node (the `rig` CLI, the bench's watcher
// process): the SDK's ES modules so unused code is dropped, ssh2's native add-ons left out, and
// the require/__dirname that bundled CommonJS expects in ESM output.
import { readFile } from 'node:fs/promises';
import { CONF_MODULE, confWithoutValidator, POLY1305_MODULE, POLY1305_STAND_IN, SSH_LAZY_BUILTINS, sshLazyBuiltins } from './main-bundle.mjs';

/**
 * `await import('node:http')`, which the SDK runs for an http:// endpoint (moto, LocalStack, a
 * proxy), builds node:http's ES-module facade, and building it reads every export, including the
 * lazy WebSocket and MessageEvent getters that compile Node's bundled undici: about 40 ms of CPU
 * in every `rig` run against such an endpoint. require() hands back the same module object
 * without a facade, so a dynamic import of node:http or node:https becomes one.
 */
export const builtinsByRequire = {
  name: 'dynamic-http-import-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'builtin-by-require' } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
  },
};

/**
 * What each lazily evaluated package exports, each a function (see `evaluatedOnFirstCall`). An
 * import of a name not listed here fails the build, so add it here (a function) when it is needed.
 */
const LAZY_PACKAGES = {
  ora: ['default', 'oraPromise'],
  '@inquirer/confirm': ['default'],
};

/**
 * The terminal spinner (ora, with chalk, cli-spinners and string-width) and the confirmation
 * prompt are evaluated when first called, not when `rig` starts: about 40 ms of CPU in every
 * command that never shows a spinner or asks (`rig status`, anything with --json or without a
 * terminal). An `import x from 'ora'` gets a module of stand-ins that require() the real package,
 * which esbuild bundles as a module evaluated on its first require.
 */
export const evaluatedOnFirstCall = {
  name: 'evaluated-on-first-call',
  setup(build) {
    const names = Object.keys(LAZY_PACKAGES).map((name) => name.replace(/[/]/g, '\\/')).join('|');
    build.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'evaluated-on-first-call', pluginData: { resolveDir: args.resolveDir } } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'evaluated-on-first-call' }, (args) => {
      const name = JSON.stringify(args.path);
      const standIns = LAZY_PACKAGES[args.path].map((exported) => exported === 'default'
        ? 'export default function standIn(...args) { return real().default(...args); }'
        : `export function ${exported}(...args) { return real().${exported}(...args); }`);
      return {
        contents: [`let loaded;`, `const real = () => (loaded ??= require(${name}));`, ...standIns, ''].join('\n'),
        loader: 'js',
        resolveDir: args.pluginData.resolveDir,
      };
    });
  },
};

/**
 * The SDK's schema modules (one per client, 1.3 MB for EC2: every shape of every operation) key
 * their member traits with computed names, `{ [_xN]: _bC }`, where `_xN` is a module constant
 * holding a string. A bundler must assume a computed key may run code (a `toString`), so it keeps
 * every shape and everything it names, used or not: all of EC2's schemas land in every bundle that
 * sends one EC2 command, and parsing them costs ~30 MB of resident memory in each process (the
 * watcher's footprint, `rig`'s start-up). Written with the constant's string itself as the key —
 * the same object — the unused shapes are dropped.
 */
export const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return { contents: withLiteralKeys(source), loader: 'js' };
    });
  },
};

/** `{ [_xN]: v }` → `{ "xmlName": v }` for each computed key that names a `const _x = "…";` of the module. */
export function withLiteralKeys(source) {
  const strings = new Map();
  for (const [, name, literal] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    // A literal `"__proto__": v` would set the prototype; the computed key makes a property.
    if (literal !== '"__proto__"') strings.set(name, literal);
  }
  return source.replace(/\[(_\w+)\]:/g, (computed, name) => (strings.has(name) ? `${strings.get(name)}:` : computed));
}

/**
 * conf without its validator and semver, as in the app's main bundle (`confWithoutValidator` in
 * main-bundle.mjs): `rig` never gives conf a schema either, and evaluating ajv cost about 33 ms of
 * CPU in every command, `rig status` included.
 */
export const confWithoutValidatorEsbuild = {
  name: 'conf-without-validator',
  setup(build) {
    build.onLoad({ filter: CONF_MODULE }, async (args) => ({ contents: confWithoutValidator(await readFile(args.path, 'utf8')), loader: 'js' }));
  },
};

/** ssh2 without its Poly1305 WebAssembly (main-bundle.mjs, POLY1305_STAND_IN), for esbuild. */
export const sshWithoutPoly1305Esbuild = {
  name: 'ssh-without-poly1305',
  setup(build) {
    build.onLoad({ filter: POLY1305_MODULE }, () => ({ contents: POLY1305_STAND_IN, loader: 'js' }));
  },
};

/** ssh2 with `child_process`, `dns` and `zlib` loaded at their first use (main-bundle.mjs, SSH_LAZY_BUILTINS), for esbuild. */
export const sshLazyBuiltinsEsbuild = {
  name: 'ssh-lazy-builtins',
  setup(build) {
    for (const { module } of SSH_LAZY_BUILTINS) {
      build.onLoad({ filter: module }, async (args) => ({ contents: sshLazyBuiltins(await readFile(args.path, 'utf8'), args.path), loader: 'js' }));
    }
  },
};

export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  external: ['cpu-features', '*.node'],
  plugins: [builtinsByRequire, evaluatedOnFirstCall, sdkSchemaLiteralKeys, confWithoutValidatorEsbuild, sshWithoutPoly1305Esbuild, sshLazyBuiltinsEsbuild],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  logLevel: 'warning',
};
