// The app's core in a process of its own, for the kill tests: what the app's Start (the
// `workstation:start` IPC handler → AppController.startWorkstation) runs — `service.up(name, { signal })`
// on the core composed by createCore — with nothing of Electron. Each snapshot and step is one
// JSON line on stdout, so the test can pick its kill point; the last line says how it ended.
import { createCore } from '../../src/adapters/compose.js';
import { toErrorInfo } from '../../src/core/errors.js';

const name = process.argv[2] ?? 'gpu';
const home = process.env.CLOUDRIG_HOME;
if (!home) throw new Error('CLOUDRIG_HOME must name the home');
const core = createCore({ home, env: process.env });
const say = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
core.service.onDidChange((s) => say({ phase: s.phase, instanceId: s.instance?.instanceId ?? null, step: s.step?.label ?? null }));
const abort = new AbortController();
try {
  const snapshot = await core.service.up(name, { signal: abort.signal, onStep: (step) => say({ step: step.label }) });
  say({ done: snapshot.phase, instanceId: snapshot.instance?.instanceId ?? null });
  process.exit(0);
} catch (error) {
  say({ error: toErrorInfo(error) });
  process.exit(1);
}
