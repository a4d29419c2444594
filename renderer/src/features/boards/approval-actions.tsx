/** Approve / Reject for a pending approval (the board's panel and the task drawer); `busy` disables both. */
export function ApprovalActions({
  onResolve,
  busy = false,
  inline = false,
}: {
  onResolve: (status: 'approved' | 'rejected') => void;
  busy?: boolean;
  inline?: boolean;
}) {
  const buttons = (
    <>
      <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => onResolve('approved')}>
        Approve
      </button>
      <button type="button" className="btn btn-sm btn-danger-ghost" disabled={busy} onClick={() => onResolve('rejected')}>
        Reject
      </button>
    </>
  );
  return inline ? <span className="row-actions">{buttons}</span> : <div className="row-actions">{buttons}</div>;
}
