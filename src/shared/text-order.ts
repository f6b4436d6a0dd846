/**
 * Orders two strings by their UTF-16 code units, as `Array.prototype.sort` does by default. What
 * CloudRig sorts are ids, region and zone names, instance types, aliases and ISO timestamps:
 * lower-case ASCII in fixed formats, whose order this is. `localeCompare` is not used: its first
 * call builds an ICU collator, about 3 MB of a long-lived process's resident memory (ICU's
 * collation data and code paged in, the collator kept) for an order nobody reads as prose.
 */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
