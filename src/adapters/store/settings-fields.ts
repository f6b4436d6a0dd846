// Fields of settings.json that the schema does not know: found by comparing the file's JSON with
// what the schema kept, reported by their path, and put back on every write (a newer CloudRig,
// another tool or the user put them there; erasing them would lose that writer's change).
import type * as z from 'zod';

/** A field the schema does not know, where it sits in the file and what it holds. */
export interface StrayField {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `workstations.gpu.seedHostkey` (indexes as `[0]`). */
export function fieldPath(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** The fields of `raw` (the file's JSON) that parsing dropped from `parsed`, at any depth. */
export function strayFields(raw: unknown, parsed: unknown, path: readonly (string | number)[] = []): StrayField[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    return raw.flatMap((item, i) => (i < parsed.length ? strayFields(item, parsed[i], [...path, i]) : []));
  }
  if (!isPlainObject(raw) || !isPlainObject(parsed)) return [];
  return Object.entries(raw).flatMap(([key, value]) =>
    Object.hasOwn(parsed, key) ? strayFields(value, parsed[key], [...path, key]) : [{ path: [...path, key], value }]);
}

/**
 * `settings` with the stray fields put back where they were, as long as their parent is still
 * there (a workstation removed takes its stray fields with it) and the change did not set the key.
 */
export function withStrayFields<T>(settings: T, strays: readonly StrayField[]): T {
  const out = structuredClone(settings) as unknown;
  for (const stray of strays) {
    let parent: unknown = out;
    for (const part of stray.path.slice(0, -1)) {
      parent = isPlainObject(parent) || Array.isArray(parent) ? (parent as Record<string | number, unknown>)[part] : undefined;
    }
    const key = stray.path.at(-1)!;
    if (isPlainObject(parent) && typeof key === 'string' && !Object.hasOwn(parent, key)) parent[key] = stray.value;
  }
  return out as T;
}

/** Just enough of zod 4's definitions to walk from a schema to the fields it knows at a path. */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The object schemas a value at `path` may match (several under a union). */
function objectsAt(schema: z.ZodType, path: readonly (string | number)[]): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return objectsAt(def.innerType, path);
  if (def.type === 'pipe' && def.in) return objectsAt(def.in, path);
  if (def.options) return def.options.flatMap((option) => objectsAt(option, path));
  if (path.length === 0) return def.type === 'object' ? [schema] : [];
  const [head, ...rest] = path;
  if (def.type === 'object' && typeof head === 'string' && def.shape?.[head]) return objectsAt(def.shape[head], rest);
  if (def.type === 'record' && def.valueType) return objectsAt(def.valueType, rest);
  if (def.type === 'array' && def.element) return objectsAt(def.element, rest);
  return [];
}

/** The field names the schema knows for the object at `path`. */
export function knownFieldsAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((object) => Object.keys(defOf(object).shape ?? {})))];
}

/** Levenshtein distance, for telling a typo from a field CloudRig has never heard of. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** The known field a stray one is most likely a typo of (1–2 edits away, not itself known), or null. */
export function likelyMeant(schema: z.ZodType, stray: StrayField): string | null {
  const name = stray.path.at(-1);
  if (typeof name !== 'string') return null;
  let best: { key: string; distance: number } | null = null;
  for (const key of knownFieldsAt(schema, stray.path.slice(0, -1))) {
    const distance = editDistance(name, key);
    // Short names are close to everything: a third of the name may differ, at most two letters.
    if (distance >= 1 && distance <= Math.min(2, Math.floor(key.length / 3)) && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key ?? null;
}
