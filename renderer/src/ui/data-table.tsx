import type { ReactNode } from 'react';

/**
 * The app's table: one header row of column titles (`scope="col"`) and the rows as children. `wrap` puts
 * it in a `.table-wrap` that scrolls sideways (a page-wide list); inside a card it stands alone.
 */
export function DataTable({
  columns,
  className,
  wrap = false,
  children,
}: {
  columns: ReactNode[];
  className?: string;
  wrap?: boolean;
  children: ReactNode;
}) {
  const table = (
    <table className={className ? `table ${className}` : 'table'}>
      <thead>
        <tr>
          {columns.map((title, i) => (
            <th key={i} scope="col">
              {title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return wrap ? <div className="table-wrap">{table}</div> : table;
}
