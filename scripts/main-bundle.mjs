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

/**
 * Node's built-in modules reached through `require`, not through their ES-module facades. A
 * facade is built from every export of the module, so importing `node:http` evaluates its lazy
 * `WebSocket` getter (compiling Node's bundled undici), `node:process` reads every property of
 * `process`, `node:util` and `node:crypto` theirs: measured alone, `import 'node:http'` leaves a
 * process 14 MB larger than `require('node:http')`, and the watcher's bundle imports 20 built-ins
 * (docs/benchmarks.md). The same module objects are handed over, so the code runs as before; only
 * the names the chunk imports are read. `node:module`, which provides `require`, stays an import.
 * (Rolldown treats built-ins as external before any resolveId hook sees them, so this works on
 * each rendered chunk.)
 */
export function builtinsRequiredPlugin() {
  return {
    name: 'builtins-required',
    renderChunk(code) {
      const program = this.parse(code);
      const edits = [];
      for (const node of program.body) {
        if (node.type !== 'ImportDeclaration' || node.importKind === 'type') continue;
        const source = node.source.value;
        if (typeof source !== 'string' || !source.startsWith('node:') || source === 'node:module') continue;
        const load = `__cloudrigRequire(${JSON.stringify(source)})`;
        const named = [];
        const whole = [];
        for (const specifier of node.specifiers) {
          if (specifier.type === 'ImportSpecifier') {
            const imported = specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value;
            if (imported === 'default') whole.push(specifier.local.name);
            else named.push(`${JSON.stringify(imported)}:${specifier.local.name}`);
          } else {
            whole.push(specifier.local.name);
          }
        }
        const declarations = [...whole.map((local) => `${local}=${load}`), ...(named.length > 0 ? [`{${named.join(',')}}=${load}`] : [])];
        edits.push({ start: node.start, end: node.end, text: declarations.length > 0 ? `const ${declarations.join(',')};` : `${load};` });
      }
      // A dynamic import of a built-in (the SDK's `await import('node:http')` for an http://
      // endpoint) builds the same facade: it gets the module object, as `rig` does (node-bundle.mjs).
      for (const match of code.matchAll(/\bimport\(\s*(["'`])(node:[\w/]+)\1\s*\)/g)) {
        edits.push({ start: match.index, end: match.index + match[0].length, text: `Promise.resolve(__cloudrigRequire(${JSON.stringify(match[2])}))` });
      }
      if (edits.length === 0) return null;
      let out = code;
      for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
      return { code: `import{createRequire as __cloudrigCreateRequire}from"node:module";const __cloudrigRequire=__cloudrigCreateRequire(import.meta.url);${out}`, map: null };
    },
  };
}

/**
 * A dependency's source with each `[from, to]` edit made, each `from` found exactly once; otherwise
 * the build fails with `missing(from)`, so a new version of the dependency that moved the text is
 * noticed instead of silently bundled as written.
 */
function replaceExactlyOnce(code, edits, missing) {
  let out = code;
  for (const [from, to] of edits) {
    const at = out.indexOf(from);
    if (at < 0 || out.indexOf(from, at + 1) >= 0) throw new Error(missing(from));
    out = out.slice(0, at) + to + out.slice(at + from.length);
  }
  return out;
}

/** ssh2's Poly1305, an Emscripten WebAssembly build used only by the chacha20-poly1305 cipher. */
export const POLY1305_MODULE = /[\\/]node_modules[\\/]ssh2[\\/]lib[\\/]protocol[\\/]crypto[\\/]poly1305\.js$/;

/**
 * What stands in for it: a module whose setup resolves at once and whose function fails, saying
 * why, if it is ever called. ssh2 compiles and instantiates the WebAssembly when its crypto module
 * loads (a 16 MB memory, V8's WebAssembly compilers paged in: about 3 MB of a watcher's resident
 * memory, and start-up time for `rig`), whichever cipher is then agreed. CloudRig's connections never
 * offer chacha20-poly1305 (src/adapters/ssh/ssh2-client.ts, SSH_CIPHERS_NOT_OFFERED): AES-GCM, which
 * OpenSSL runs natively and every OpenSSH server offers, is agreed instead.
 */
export const POLY1305_STAND_IN = `module.exports = function poly1305() {
  const absent = function () { throw new Error('ssh2 was bundled without Poly1305: CloudRig does not offer chacha20-poly1305 (scripts/main-bundle.mjs)'); };
  return Promise.resolve({ _malloc: function () { return 0; }, cwrap: function () { return absent; } });
};
`;

/** ssh2 without its Poly1305 WebAssembly (see POLY1305_STAND_IN). */
export function sshWithoutPoly1305Plugin() {
  return {
    name: 'ssh-without-poly1305',
    transform(_code, id) {
      return POLY1305_MODULE.test(id) ? { code: POLY1305_STAND_IN, map: null } : null;
    },
  };
}

/**
 * The built-ins ssh2 loads at its top level but calls only in cases CloudRig meets rarely or never,
 * made to load at their first call: `child_process` (the Pageant and Cygwin agents, Windows only),
 * `dns` (a connection forced to IPv4 or IPv6; CloudRig hands ssh2 its own socket) and `zlib`
 * (compression, which CloudRig's connections offer after `none`, so it is agreed only with a box
 * that refuses to go without; ssh2 also built a throwaway inflater at load to find zlib's handle
 * class). Node compiles a built-in loaded after a run-time V8 flag from its source, and the watcher
 * keeps what it loaded for hours: with these three loaded only when used, the footprint row is
 * about 0.5 MB smaller (docs/benchmarks.md). Each file's text is replaced exactly; a change in ssh2
 * that moves it fails the build instead of silently loading them again.
 */
export const SSH_LAZY_BUILTINS = [
  {
    module: /[\\/]node_modules[\\/]ssh2[\\/]lib[\\/]agent\.js$/,
    edits: [[
      "const { execFile, spawn } = require('child_process');",
      "function execFile(...args) { return require('child_process').execFile(...args); }\nfunction spawn(...args) { return require('child_process').spawn(...args); }",
    ]],
  },
  {
    module: /[\\/]node_modules[\\/]ssh2[\\/]lib[\\/]client\.js$/,
    edits: [["const { lookup: dnsLookup } = require('dns');", "function dnsLookup(...args) { return require('dns').lookup(...args); }"]],
  },
  {
    module: /[\\/]node_modules[\\/]ssh2[\\/]lib[\\/]protocol[\\/]zlib\.js$/,
    edits: [
      [
        `const {
  createInflate,
  constants: {
    DEFLATE,
    INFLATE,
    Z_DEFAULT_CHUNK,
    Z_DEFAULT_COMPRESSION,
    Z_DEFAULT_MEMLEVEL,
    Z_DEFAULT_STRATEGY,
    Z_DEFAULT_WINDOWBITS,
    Z_PARTIAL_FLUSH,
  }
} = require('zlib');
const ZlibHandle = createInflate()._handle.constructor;`,
        `let DEFLATE, INFLATE, Z_DEFAULT_CHUNK, Z_DEFAULT_COMPRESSION, Z_DEFAULT_MEMLEVEL, Z_DEFAULT_STRATEGY, Z_DEFAULT_WINDOWBITS, Z_PARTIAL_FLUSH, ZlibHandle;
function loadZlib() {
  if (ZlibHandle !== undefined) return;
  const zlib = require('zlib');
  ({ DEFLATE, INFLATE, Z_DEFAULT_CHUNK, Z_DEFAULT_COMPRESSION, Z_DEFAULT_MEMLEVEL, Z_DEFAULT_STRATEGY, Z_DEFAULT_WINDOWBITS, Z_PARTIAL_FLUSH } = zlib.constants);
  ZlibHandle = zlib.createInflate()._handle.constructor;
}`,
      ],
      // Both users of the compressor load zlib first: the mode they pass is one of its constants.
      ['    this._zlib = new Zlib(DEFLATE);', '    loadZlib();\n    this._zlib = new Zlib(DEFLATE);'],
      ['    this._zlib = new Zlib(INFLATE);', '    loadZlib();\n    this._zlib = new Zlib(INFLATE);'],
    ],
  },
];

/** An ssh2 module's source with its built-ins made lazy (SSH_LAZY_BUILTINS), or null for any other module. */
export function sshLazyBuiltins(code, id) {
  const file = SSH_LAZY_BUILTINS.find((entry) => entry.module.test(id));
  if (!file) return null;
  return replaceExactlyOnce(code, file.edits, (from) => `ssh-lazy-builtins: ${id} no longer has \`${from.split('\n', 1)[0]}\` exactly once; update scripts/main-bundle.mjs`);
}

/** ssh2 with `child_process`, `dns` and `zlib` loaded at their first use (see SSH_LAZY_BUILTINS). */
export function sshLazyBuiltinsPlugin() {
  return {
    name: 'ssh-lazy-builtins',
    transform(code, id) {
      const out = sshLazyBuiltins(code, id);
      return out === null ? null : { code: out, map: null };
    },
  };
}

/** conf's own module, whose validator imports `confWithoutValidator` replaces. */
export const CONF_MODULE = /[\\/]node_modules[\\/]conf[\\/]dist[\\/]source[\\/]index\.js$/;

/** conf's source with its validator's and semver's imports made stand-ins (see confWithoutValidatorPlugin). */
export function confWithoutValidator(code) {
  const absent = (what) => `throw new Error('conf was bundled without ${what}: CloudRig passes it no schema or migrations (scripts/main-bundle.mjs)');`;
  const standIns = [
    ["import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';", `function Ajv() { ${absent('ajv')} }`],
    ["import ajvFormatsModule from 'ajv-formats';", `const ajvFormatsModule = { get default() { ${absent('ajv-formats')} } };`],
    ["import semver from 'semver';", `const semver = new Proxy({}, { get() { ${absent('semver')} } });`],
  ];
  return replaceExactlyOnce(code, standIns, (from) => `conf-without-validator: conf no longer has \`${from}\`; update scripts/main-bundle.mjs`);
}

/**
 * conf without its JSON-schema validator (ajv, ajv-formats, fast-uri) and semver: CloudRig gives
 * conf no schema (zod checks the settings and the app's state) and no migrations, so they never
 * run, yet they were 320 KB of the 480 KB that the watcher evaluates at start. Their imports in
 * conf become stand-ins that fail with a clear message if a schema or migrations are ever passed.
 */
export function confWithoutValidatorPlugin() {
  return {
    name: 'conf-without-validator',
    transform(code, id) {
      return CONF_MODULE.test(id) ? { code: confWithoutValidator(code), map: null } : null;
    },
  };
}

/**
 * Every character above U+00FF in the emitted chunks written as a `\uXXXX` escape (they are in
 * strings, regular expressions and comments: the wording's "…" and "→", zod's and ssh2's
 * whitespace classes). V8 keeps a script's source in memory for as long as the script lives, and
 * one such character makes the whole source two bytes a character: 1 MB instead of 0.5 MB for the
 * main chunk.
 */
export function latin1SourcesPlugin() {
  return {
    name: 'latin1-sources',
    generateBundle(_options, bundle) {
      rewriteChunks(bundle, (code) => code.replace(/[\u0100-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
    },
  };
}

/** Each emitted chunk's code through `rewrite` (in generateBundle, after the minifier); null leaves a chunk as it is. */
function rewriteChunks(bundle, rewrite) {
  for (const file of Object.values(bundle)) {
    if (file.type !== 'chunk') continue;
    const code = rewrite(file.code);
    if (code !== null) file.code = code;
  }
}

/** The names a declaration's binding pattern declares (`a`, `{ a, b: [c, ...d] }`, `e = 1`). */
function boundNames(pattern, into = []) {
  if (pattern.type === 'Identifier') into.push(pattern.name);
  else if (pattern.type === 'ObjectPattern') for (const property of pattern.properties) boundNames(property.type === 'RestElement' ? property.argument : property.value, into);
  else if (pattern.type === 'ArrayPattern') for (const element of pattern.elements) { if (element) boundNames(element.type === 'RestElement' ? element.argument : element, into); }
  else if (pattern.type === 'AssignmentPattern') boundNames(pattern.left, into);
  else if (pattern.type === 'RestElement') boundNames(pattern.argument, into);
  else throw new Error(`module-body-runs-once: unexpected binding ${pattern.type}`);
  return into;
}

const FUNCTION_NODES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'StaticBlock']);

/**
 * Whether a top-level statement, outside the functions it contains, awaits or declares a `var`
 * (which would then belong to the wrapping function, not to the module).
 */
function awaitsOrDeclaresVar(node) {
  if (!node || typeof node.type !== 'string') return false;
  if (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await)) return true;
  if (node.type === 'VariableDeclaration' && node.kind !== 'let' && node.kind !== 'const') return true;
  if (FUNCTION_NODES.has(node.type)) return false;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type' || key === 'start' || key === 'end' || value === null || typeof value !== 'object') continue;
    if (Array.isArray(value) ? value.some(awaitsOrDeclaresVar) : awaitsOrDeclaresVar(value)) return true;
  }
  return false;
}

/**
 * A chunk's module body (what runs once, when it is evaluated) moved into a function that the
 * module calls once: `var a, b; (() => { a = …; b = …; })();`. V8 never discards the compiled code
 * of a module's own body (a module body is resumable, like a generator), so the bytecode of every
 * chunk's start-up work stayed in the watcher for good: 188 KB for the EC2 client's schemas alone,
 * in a large-object page whose malloc'd bookkeeping, made while the parser's zones were at the top
 * of glibc's heap, pinned 4 MB of freed heap under it for the life of the process in about half of
 * the runs (docs/benchmarks.md, "Watcher footprint"). A function's code is discarded once it has
 * run and the session releases its cold code. The declarations stay at module scope (exports and
 * live bindings unchanged), each initializer runs in the same order, function declarations stay
 * where they are. A chunk whose body awaits, or declares a `var` inside a statement, is left as is.
 */
export function moduleBodyRunsOncePlugin() {
  return {
    name: 'module-body-runs-once',
    // After the minifier, which would fold the function back into the module body.
    generateBundle(_options, bundle) {
      rewriteChunks(bundle, (code) => moduleBodyInFunction(code, (source) => this.parse(source)));
    },
  };
}

/** The name a chunk's `export default <expression>` gets once its expression runs in the function. */
const DEFAULT_EXPORT = '__cloudrigDefault';

/** A chunk's code with its module body moved into a function called once, or null when it must stay as it is (moduleBodyRunsOncePlugin). */
export function moduleBodyInFunction(code, parse) {
  const program = parse(code);
  const names = [];
  const body = [];
  const kept = [];
  for (const node of program.body) {
    const text = code.slice(node.start, node.end);
    if (node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || (node.type === 'ExportNamedDeclaration' && !node.declaration)) kept.push(text);
    else if (node.type === 'FunctionDeclaration' || (node.type.startsWith('Export') && node.declaration?.type === 'FunctionDeclaration')) kept.push(text);
    else if (node.type === 'ExportDefaultDeclaration' && node.declaration.type !== 'ClassDeclaration') {
      if (awaitsOrDeclaresVar(node.declaration)) return null;
      names.push(DEFAULT_EXPORT);
      body.push(`${DEFAULT_EXPORT}=(${code.slice(node.declaration.start, node.declaration.end)});`);
      kept.push(`export{${DEFAULT_EXPORT} as default};`);
    } else if (node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration') return null;
    else if (node.type === 'ClassDeclaration') {
      names.push(node.id.name);
      body.push(`${node.id.name}=${text};`);
    } else if (node.type === 'VariableDeclaration') {
      for (const declarator of node.declarations) {
        if (awaitsOrDeclaresVar(declarator.init)) return null;
        names.push(...boundNames(declarator.id));
        if (declarator.init) body.push(`(${code.slice(declarator.id.start, declarator.id.end)}=${code.slice(declarator.init.start, declarator.init.end)});`);
      }
    } else {
      if (awaitsOrDeclaresVar(node)) return null;
      body.push(text);
    }
  }
  if (body.length === 0) return null;
  const declared = names.length > 0 ? `var ${[...new Set(names)].join(',')};` : '';
  return `${kept.join('\n')}\n${declared}(()=>{${body.join('\n')}\n})();\n`;
}

/**
 * Whether a parsed chunk's body runs once in a function, as moduleBodyInFunction writes it (or runs
 * nothing at all: only imports, exports, declarations). The tests check the app's build with it,
 * and the bench the watcher child it builds, so the row measures a body laid out as the app's.
 */
export function bodyRunsOnce(program) {
  const runs = program.body.filter((node) => !['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'FunctionDeclaration'].includes(node.type)
    && !(node.type === 'VariableDeclaration' && node.declarations.every((declarator) => declarator.init === null)));
  return runs.length === 0 || (runs.length === 1 && runs[0].type === 'ExpressionStatement' && runs[0].expression.type === 'CallExpression'
    && runs[0].expression.callee.type === 'ArrowFunctionExpression');
}
