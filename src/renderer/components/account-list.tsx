import type { ReactNode } from 'react';

/** One row of an account list: what it is, its id, and what it costs or does. */
export interface AccountListRow {
  readonly id: string;
  readonly title: string;
  readonly detail: string;
}

/**
 * A section listing what bills in the account outside the workstations (instances elsewhere, idle
 * resources): a heading with the total, one row each with its title, id and detail, then what the
 * row offers (`actions`) and the notes under the list (`children`).
 */
export function AccountList<Row extends AccountListRow>({ kind, title, summary, rows, actions, children }: {
  /** `elsewhere` or `idle`: the section's class, its test ids and its heading's id. */
  kind: string;
  title: string;
  summary: string | null;
  rows: readonly Row[];
  actions?: (row: Row) => ReactNode;
  children?: ReactNode;
}) {
  return (
    <section className={`still-costing ${kind}`} aria-labelledby={`${kind}-title`} data-testid={kind}>
      <h2 id={`${kind}-title`}>{title} <span className="total">{summary}</span></h2>
      <ul>
        {rows.map((row) => (
          <li key={row.id} data-testid={`${kind}-row`} style={{ flexDirection: 'column', alignItems: 'flex-start', gap: 2 }}>
            <span><strong>{row.title}</strong> <span className="hint">{row.id}</span></span>
            <span className="amount">{row.detail}</span>
            {actions?.(row)}
          </li>
        ))}
      </ul>
      {children}
    </section>
  );
}
