import { cliFix } from '../../src/cli/fix-wording.js';
import { FixStepSchema, type FixAction, type FixStep } from '../../src/shared/errors.js';

/** A zod schema as far as the samples read it: its definition's type and parts. */
interface Schema { readonly def: { readonly type: string; readonly [part: string]: unknown } }

/** Values a field may take, first the plainest: enough to reach each branch of the wording. */
function candidates(schema: Schema): unknown[] {
  const def = schema.def;
  switch (def.type) {
    case 'literal': return [...(def.values as unknown[])];
    case 'string': return ['gpu'];
    case 'number': return [4];
    case 'boolean': return [true, false];
    case 'enum': return Object.values(def.entries as Record<string, unknown>);
    case 'array': return [['gpu', 'other'], []];
    case 'nullable': return [...candidates(def.innerType as Schema), null];
    case 'optional': return [...candidates(def.innerType as Schema), undefined];
    default: throw new Error(`no samples for a ${def.type} field`);
  }
}

/**
 * Sample steps of `action`: every field its plainest value, then each field in turn at each of its
 * other values. `fixed` pins fields to the values a site wrote (`{ reason: 'busy' }`).
 */
export function sampleSteps(action: FixAction, fixed: Readonly<Record<string, string>> = {}): FixStep[] {
  const option = FixStepSchema.options.find((o) => o.shape.action.value === action);
  if (!option) throw new Error(`no fix action ${action}`);
  const fields = Object.entries(option.shape as unknown as Record<string, Schema>).map(([key, schema]) => {
    const values = candidates(schema);
    return [key, key in fixed && values.includes(fixed[key]) ? [fixed[key]] : values] as const;
  });
  const base = Object.fromEntries(fields.map(([key, values]) => [key, values[0]]));
  const steps = [base, ...fields.flatMap(([key, values]) => values.slice(1).map((value) => ({ ...base, [key]: value })))];
  return steps.map((step) => FixStepSchema.parse(step));
}

/** The `rig …` commands (in backticks) `rig` prints for any sample of `action`. */
export function wordedCommands(action: FixAction, fixed: Readonly<Record<string, string>> = {}): string[] {
  const worded = sampleSteps(action, fixed).map((step) => cliFix(step));
  return [...new Set(worded.flatMap((text) => [...text.matchAll(/`rig ([^`]+)`/g)].map((m) => m[1]!)))];
}
