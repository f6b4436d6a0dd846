import { readFile } from 'node:fs/promises';
import type * as z from 'zod';

/** A text file's contents, or null when it does not exist; other I/O errors are thrown. */
export async function readTextFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Reads a JSON file CloudRig keeps as a cache or a record: null when it does not exist, is not
 * JSON, or does not match the schema (a damaged cache is rebuilt, never fatal). Other I/O errors
 * (permissions, a directory in the way) are thrown.
 */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> {
  const text = await readTextFile(path);
  return text === null ? null : parseJson(text, schema);
}

/** JSON text checked against a schema: null when it is not JSON or does not match. */
export function parseJson<S extends z.ZodType>(text: string, schema: S): z.infer<S> | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? (parsed.data as z.infer<S>) : null;
}
