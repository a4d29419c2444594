import { formatDateTime } from '../../model/format';

/** Evidence as a person reads it: fields as a list, lists of records as tables, times localized, no raw JSON walls. */
export function Evidence({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      // Names first, ids last (shortened; the full id is in the tooltip). A field holding a record (an offline
      // agent's gateway side) gets a full-width line under its row instead of a squeezed column.
      const rows = value as Record<string, unknown>[];
      const all = [...new Set(rows.flatMap((v) => Object.keys(v)))];
      const isRecord = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
      const nested = all.filter((k) => rows.some((r) => isRecord(r[k])));
      const flat = all.filter((k) => !nested.includes(k));
      const keys = [...flat.filter((k) => !isId(k)), ...flat.filter(isId)];
      return (
        <div className="table-wrap evidence-table">
          <table className="table">
            <thead>
              <tr>
                {keys.map((k) => (
                  <th key={k} scope="col">
                    {human(k)}
                  </th>
                ))}
              </tr>
            </thead>
            {rows.map((row, i) => (
              <tbody key={i}>
                <tr>
                  {keys.map((k) => (
                    <td key={k}>
                      <Cell k={k} v={row[k]} />
                    </td>
                  ))}
                </tr>
                {nested.map((k) => (
                  <tr key={k} className="evidence-sub">
                    <td colSpan={keys.length}>
                      <Evidence value={{ [k]: row[k] }} />
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        </div>
      );
    }
    return <span>{value.map((v) => scalar('', v)).join(', ')}</span>;
  }
  if (value && typeof value === 'object') {
    return (
      <dl className="facts evidence-facts">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{human(k)}</dt>
            <dd>{v && typeof v === 'object' ? <Evidence value={v} /> : scalar(k, v)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{scalar('', value)}</span>;
}

function Cell({ k, v }: { k: string; v: unknown }) {
  if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
    return (
      <details>
        <summary className="small">{v.length === 1 ? '1 entry' : `${v.length} entries`}</summary>
        <Evidence value={v} />
      </details>
    );
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) return <Evidence value={v} />;
  if (isId(k) && typeof v === 'string' && v.length > 12)
    return (
      <span className="mono small nowrap" title={v}>
        {v.slice(0, 8)}…
      </span>
    );
  return <span>{scalar(k, v)}</span>;
}

const isId = (k: string) => k === 'id' || k.endsWith('_id');

// snake_case (ours) and camelCase (the gateway's session fields) alike.
const human = (k: string) =>
  k
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/^./, (c) => c.toUpperCase());
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;
function scalar(k: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) return v.length ? v.map((x) => scalar('', x)).join(', ') : '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' && /bytes$/.test(k)) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  if (typeof v === 'number' && /_ms$/.test(k)) return `${(v / 1000).toFixed(1)} s`;
  // The gateway's times are epoch milliseconds (updatedAt, lastActivityAt).
  if (typeof v === 'number' && /[a-z]At$/.test(k) && v > 1e12) return formatDateTime(new Date(v).toISOString());
  if (typeof v === 'string' && ISO.test(v)) return formatDateTime(v);
  return String(v);
}
