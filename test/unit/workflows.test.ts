import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobsOf, stepsOf, validateWorkflow, type PlainValue } from './support/workflow-validation.js';

// The files in .github/workflows run only on GitHub, where a mistake shows up after a push. Here
// each is checked with GitHub's own parser and schema, plus what the project asks of its CI.
const WORKFLOWS = join(import.meta.dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file)).sort();
const read = (file: string): string => readFileSync(join(WORKFLOWS, file), 'utf8');

const OSES = ['macos-latest', 'windows-latest', 'ubuntu-latest'];
type Mapping = { readonly [key: string]: PlainValue };

const runsOf = (job: Mapping): string[] => stepsOf(job).flatMap((step) => (typeof step.run === 'string' ? [step.run] : []));
/** A job that runs the tests. */
const runsTests = (job: Mapping): boolean => runsOf(job).some((run) => /\bnpm test\b|\bvitest\b/.test(run));
/** A step that runs npm, npx or a script that does, as a command (not as words in a message). */
const usesNode = (step: Mapping): boolean => typeof step.run === 'string' && /(?:^|[;&|(]|\$\()\s*(?:npm|npx|node|scripts\/package-app\.sh)\s/m.test(step.run);

/** Jobs that run npm or npx without actions/setup-node for Node 24 before it (the runner's own Node is whatever the image has). */
function nodeProblems(workflow: Mapping): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobsOf(workflow)) {
    const steps = stepsOf(job);
    const firstNode = steps.findIndex(usesNode);
    if (firstNode < 0) continue;
    const setup = steps.slice(0, firstNode).find((step) => typeof step.uses === 'string' && step.uses.startsWith('actions/setup-node@'));
    const version = setup && typeof setup.with === 'object' && setup.with !== null && !Array.isArray(setup.with) ? (setup.with as Mapping)['node-version'] : undefined;
    if (String(version) !== '24') problems.push(`job '${id}' runs npm with Node ${version === undefined ? 'not set up' : String(version)}, not 24`);
  }
  return problems;
}

/** Whether a job runs once on each of the three desktop OSes. */
function osMatrixProblems(id: string, job: Mapping): string[] {
  const strategy = job.strategy as Mapping | undefined;
  const matrix = strategy?.matrix as Mapping | undefined;
  const oses = Array.isArray(matrix?.os) ? [...matrix.os].map(String).sort() : [];
  const problems: string[] = [];
  if (JSON.stringify(oses) !== JSON.stringify([...OSES].sort())) problems.push(`job '${id}' matrix.os is [${oses.join(', ')}], not ${OSES.join(', ')}`);
  if (job['runs-on'] !== '${{ matrix.os }}') problems.push(`job '${id}' does not run on matrix.os`);
  return problems;
}

async function parsed(file: string): Promise<Mapping> {
  const { errors, workflow } = await validateWorkflow(file, read(file));
  expect(errors).toEqual([]);
  if (workflow === null) throw new Error(`${file} did not parse`);
  return workflow;
}

const GOOD_JOB = `on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - uses: actions/setup-node@v6
        with:
          node-version: 24
      - run: npm ci && npm test
`;

describe('the workflow check refuses a broken workflow', () => {
  it('accepts a plain valid one', async () => {
    expect((await validateWorkflow('good.yml', GOOD_JOB)).errors).toEqual([]);
  });

  it.each([
    ['an unknown key under a job', GOOD_JOB.replace('    runs-on:', '    timeout: 5\n    runs-on:'), /Unexpected value 'timeout'/],
    ['runs-on given a list of lists', GOOD_JOB.replace('runs-on: ubuntu-latest', 'runs-on: [[ubuntu-latest]]'), /A sequence was not expected/],
    ['a job on a runner without steps', 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n', /job 'test' runs on a runner but has no steps/],
    ['a job without runs-on', GOOD_JOB.replace('    runs-on: ubuntu-latest\n', ''), /Required property is missing: runs-on/],
    ['an action without a version', GOOD_JOB.replace('actions/checkout@v6', 'actions/checkout'), /uses 'actions\/checkout' without a version/],
    ['an unknown event', GOOD_JOB.replace('on: push', 'on: pushed'), /Unexpected value 'pushed'/],
    ['a step with both run and uses', GOOD_JOB.replace('      - run: npm ci', '      - uses: actions/cache@v5\n        run: npm ci'), /Unexpected value/],
    ['an expression that cannot parse', GOOD_JOB.replace('npm ci && npm test', 'echo ${{ matrix. }}'), /Unexpected symbol/],
    ['a context not available where it is used', GOOD_JOB.replace('runs-on: ubuntu-latest', 'runs-on: ${{ steps.pick.outputs.os }}'), /Unrecognized named-value: 'steps'/],
    ['needs naming no job', GOOD_JOB.replace('jobs:\n', 'jobs:\n  lint:\n    runs-on: ubuntu-latest\n    needs: nothing\n    steps:\n      - run: echo\n'), /nothing/],
    ['YAML that does not parse', GOOD_JOB.replace('runs-on: ubuntu-latest', 'runs-on: [ubuntu-latest'), /./],
  ])('refuses %s', async (_name, content, error) => {
    const { errors } = await validateWorkflow('probe.yml', content);
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(error)]));
  });

  it.each([
    ['Node 22', GOOD_JOB.replace('node-version: 24', 'node-version: 22'), "job 'test' runs npm with Node 22, not 24"],
    ['no setup-node', GOOD_JOB.replace(/ {6}- uses: actions\/setup-node@v6\n {8}with:\n {10}node-version: 24\n/, ''), "job 'test' runs npm with Node not set up, not 24"],
    ['setup-node after npm', GOOD_JOB.replace('      - uses: actions/checkout@v6\n', '      - run: npm ci\n'), "job 'test' runs npm with Node not set up, not 24"],
  ])('refuses a job that runs npm with %s', async (_name, content, problem) => {
    const { errors, workflow } = await validateWorkflow('probe.yml', content);
    expect(errors).toEqual([]);
    expect(nodeProblems(workflow ?? {})).toEqual([problem]);
  });

  it('refuses a matrix that leaves out an OS', async () => {
    const content = GOOD_JOB.replace('    runs-on: ubuntu-latest', '    strategy:\n      matrix:\n        os: [macos-latest, ubuntu-latest]\n    runs-on: ${{ matrix.os }}');
    const { errors, workflow } = await validateWorkflow('probe.yml', content);
    expect(errors).toEqual([]);
    expect(osMatrixProblems('test', jobsOf(workflow ?? {}).get('test') ?? {})).toEqual(["job 'test' matrix.os is [macos-latest, ubuntu-latest], not macos-latest, windows-latest, ubuntu-latest"]);
  });
});

describe("the project's workflows", () => {
  it('are the CI and the release workflow', () => {
    expect(files).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
  });

  it.each(files)('%s passes GitHub\'s workflow schema with no errors', async (file) => {
    expect((await validateWorkflow(file, read(file))).errors).toEqual([]);
  });

  it.each(files)('%s sets up Node 24 in every job that runs npm', async (file) => {
    expect(nodeProblems(await parsed(file))).toEqual([]);
  });

  it('CI runs the tests and packages on macOS, Windows and Ubuntu', async () => {
    const jobs = [...jobsOf(await parsed('ci.yml'))].filter(([, job]) => runsTests(job));
    expect(jobs.map(([id]) => id)).not.toEqual([]);
    for (const [id, job] of jobs) {
      expect(osMatrixProblems(id, job)).toEqual([]);
      expect(runsOf(job).some((run) => run.includes('npx install-electron --no'))).toBe(true);
      expect(runsOf(job).some((run) => run.includes('scripts/package-app.sh never'))).toBe(true);
      expect(stepsOf(job).some((step) => typeof step.uses === 'string' && step.uses.startsWith('actions/upload-artifact@'))).toBe(true);
    }
  });

  it('the release publishes from each of the three OSes', async () => {
    const workflow = await parsed('release.yml');
    const packaging = [...jobsOf(workflow)].filter(([, job]) => runsOf(job).some((run) => run.includes('scripts/package-app.sh always')));
    expect(packaging.map(([id]) => id)).toEqual(['package']);
    for (const [id, job] of packaging) expect(osMatrixProblems(id, job)).toEqual([]);
  });
});
