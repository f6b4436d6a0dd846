import type { BuildOptions, Plugin } from 'esbuild';

/** esbuild options shared by everything bundled for plain Node (see node-bundle.mjs). */
export declare const nodeBundleOptions: BuildOptions;
export declare const builtinsByRequire: Plugin;
export declare const evaluatedOnFirstCall: Plugin;
export declare const sdkSchemaLiteralKeys: Plugin;
/** `{ [_xN]: v }` → `{ "xmlName": v }` for each computed key that names a string constant of the module. */
export declare function withLiteralKeys(source: string): string;
