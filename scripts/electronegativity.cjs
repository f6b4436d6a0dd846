// Runs Doyensec's electronegativity over src/ offline and fails on any HIGH-severity finding.
// The tool's CLI fetches translations from the internet at start and needs an old commander;
// here its runner is called directly and its HTTP client is replaced by one that refuses at
// once, so no traffic leaves the machine. Usage: node scripts/electronegativity.cjs [dir]
'use strict';
const Module = require('node:module');
const path = require('node:path');

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'got') return () => Promise.reject(new Error('offline: translations are bundled'));
  return load.call(this, request, parent, isMain);
};

async function main() {
  const base = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
  await require(path.join(base, 'dist/locales/i18n.js'))();
  const run = require(path.join(base, 'dist/runner.js'));
  const input = path.resolve(process.argv[2] ?? 'src');
  const result = await run({
    input,
    output: undefined,
    isSarif: false,
    customScan: [],
    // This check downloads Electron's release list; the version is pinned in package.json instead.
    excludeFromScan: ['availablesecurityfixesglobalcheck'],
    severitySet: undefined,
    confidenceSet: undefined,
    isRelative: true,
    isVerbose: false,
    electronUpgrade: undefined,
    electronVersionOverride: require('electron/package.json').version,
    parserPlugins: [],
  }, false);
  const issues = (result && result.issues) || [];
  for (const issue of issues) {
    console.log(`${issue.severity.name.padEnd(13)} ${issue.confidence.name.padEnd(10)} ${issue.id.padEnd(40)} ${path.relative(process.cwd(), issue.file)}:${issue.location.line}`);
  }
  const high = issues.filter((issue) => issue.severity.name === 'HIGH');
  console.log(`electronegativity: ${issues.length} findings, ${high.length} high severity`);
  if (high.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
