import * as nodeModule from 'node:module';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

// GitHub's parser imports its schema JSON without `with { type: 'json' }` (it is built for
// bundlers), which Node refuses. This hook adds the attribute for that package's JSON files only.
// registerHooks is Node 22.15+; the project's @types/node predates it.
type LoadHook = (url: string, context: { importAttributes?: Record<string, string> }, next: (url: string, context?: object) => unknown) => unknown;
const { registerHooks } = nodeModule as unknown as { registerHooks: (hooks: { load: LoadHook }) => unknown };
registerHooks({
  load(url, context, next) {
    if (!/\/@actions\/workflow-parser\/.+\.json$/.test(url)) return next(url, context);
    return next(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  },
});

const parser = await import('@actions/workflow-parser');

/** A workflow as plain data (expressions kept as `${{ … }}` text), for checks the schema cannot make. */
export type PlainValue = string | number | boolean | null | readonly PlainValue[] | { readonly [key: string]: PlainValue };

/** What validateWorkflow found: every error, and the workflow as data when it parsed. */
export interface WorkflowValidation {
  readonly errors: readonly string[];
  readonly workflow: { readonly [key: string]: PlainValue } | null;
}

function plain(token: TemplateToken): PlainValue {
  if (parser.isMapping(token)) {
    const entries: [string, PlainValue][] = [];
    for (const { key, value } of token) entries.push([key.toString(), plain(value)]);
    return Object.fromEntries(entries);
  }
  if (parser.isSequence(token)) return [...token].map(plain);
  if (parser.isBasicExpression(token)) return `\${{ ${token.expression} }}`;
  if (parser.isString(token) || parser.isNumber(token) || parser.isBoolean(token)) return token.value;
  return null;
}

function isRecord(value: PlainValue | undefined): value is { readonly [key: string]: PlainValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The jobs of a parsed workflow by id (empty when it has none). */
export function jobsOf(workflow: { readonly [key: string]: PlainValue }): ReadonlyMap<string, { readonly [key: string]: PlainValue }> {
  const jobs = workflow.jobs;
  if (!isRecord(jobs)) return new Map();
  return new Map(Object.entries(jobs).filter((entry): entry is [string, { readonly [key: string]: PlainValue }] => isRecord(entry[1])));
}

/** The steps of a job, as mappings. */
export function stepsOf(job: { readonly [key: string]: PlainValue }): readonly { readonly [key: string]: PlainValue }[] {
  return Array.isArray(job.steps) ? job.steps.filter(isRecord) : [];
}

/**
 * Rules GitHub applies when it runs a workflow but its schema does not state: a job on a runner
 * needs steps (the schema allows none, since a job calling a reusable workflow has none), and every
 * action is pinned to a ref (the schema takes `uses: actions/checkout`, GitHub refuses it).
 */
function runRules(workflow: { readonly [key: string]: PlainValue }, name: string): string[] {
  const errors: string[] = [];
  for (const [id, job] of jobsOf(workflow)) {
    if ('uses' in job) continue;
    const steps = stepsOf(job);
    if (steps.length === 0) errors.push(`${name}: job '${id}' runs on a runner but has no steps`);
    for (const step of steps) {
      const uses = step.uses;
      if (typeof uses === 'string' && !uses.startsWith('./') && !uses.startsWith('docker://') && !/@[\w.-]+$/.test(uses)) {
        errors.push(`${name}: job '${id}' uses '${uses}' without a version (write ${uses}@v<major>)`);
      }
    }
  }
  return errors;
}

/**
 * Validates a workflow file as GitHub would: YAML, the workflow schema and its expressions
 * (@actions/workflow-parser, GitHub's own parser from actions/languageservices), the checks its
 * converter makes (job dependencies), and the run-time rules above.
 */
export async function validateWorkflow(name: string, content: string): Promise<WorkflowValidation> {
  const parsed = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  if (parsed.value === undefined) {
    return { errors: parsed.context.errors.getErrors().map((error) => error.message), workflow: null };
  }
  // The converter reports into the same context, so its errors include the parser's.
  const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
  const schemaErrors = [...new Set([...parsed.context.errors.getErrors().map((error) => error.message), ...(template.errors ?? []).map((error) => error.Message)])];
  const workflow = plain(parsed.value);
  if (!isRecord(workflow)) return { errors: [...schemaErrors, `${name}: not a mapping`], workflow: null };
  return { errors: [...schemaErrors, ...runRules(workflow, name)], workflow };
}
