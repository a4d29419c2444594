import { useState } from 'react';
import { Icon } from '../../ui/icons';
import { Card, Empty, Field, FormFooter, PageHeader, Pill, SelectField, useSubmit } from '../../ui/components';
import { navigate, useApp } from '../../ui/context';
import { href } from '../../model/routes';

const RULES = [
  ['require_approval_for_done', 'Require an approved approval to mark a task done', true],
  ['require_review_before_done', 'Tasks must pass review before done', false],
  ['comment_required_for_review', 'A comment is required to move a task to review', false],
  ['block_status_changes_with_pending_approval', 'Freeze a task’s status while an approval is pending', false],
  ['only_lead_can_change_status', 'Only the board lead changes task status', false],
] as const;
type RuleKey = (typeof RULES)[number][0];

export function BoardsPage() {
  const boards = useApp((s) => s.boards);
  const gateways = useApp((s) => s.gateways);
  const agents = useApp((s) => s.agents);
  const loading = useApp((s) => s.loading);
  const [creating, setCreating] = useState(false);
  const newButton = (
    <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} disabled={gateways.length === 0}>
      <Icon name="plus" /> New board
    </button>
  );
  return (
    <div className="page">
      <PageHeader title="Boards" subtitle="Each board has its own tasks, rules and agents on one gateway." actions={newButton} />
      {creating && <NewBoardForm onDone={() => setCreating(false)} />}
      {!loading && gateways.length === 0 ? (
        <Empty
          icon="gateway"
          title="Add a gateway first"
          action={
            <a className="btn btn-primary" href={href.gatewayNew()}>
              Add a gateway
            </a>
          }
        >
          A board’s agents run on an OpenClaw gateway.
        </Empty>
      ) : !loading && boards.length === 0 && !creating ? (
        <Empty icon="board" title="No boards yet" action={newButton}>
          Create a board for a goal or a stream of work; then add tasks and the agents that do them.
        </Empty>
      ) : (
        <div className="board-grid">
          {boards.map((b) => {
            const mine = agents.filter((a) => a.board_id === b.id);
            const gw = gateways.find((g) => g.id === b.gateway_id);
            return (
              <a key={b.id} className="board-card" href={href.board(b.id)}>
                <div className="board-card-head">
                  <h2>{b.name}</h2>
                  <Pill tone="muted">{b.board_type}</Pill>
                </div>
                <p className="muted clamp-2">{b.description}</p>
                <div className="board-card-foot small">
                  <span>
                    <Icon name="agent" size={14} /> {mine.length} agent{mine.length === 1 ? '' : 's'} ·{' '}
                    {mine.filter((a) => a.status === 'online').length} online
                  </span>
                  <span className="muted">{gw?.name ?? 'no gateway'}</span>
                </div>
                {b.require_approval_for_done && <span className="rule-tag small">Approval required for done</span>}
              </a>
            );
          })}
        </div>
      )}
    </div>
  );
}

function NewBoardForm({ onDone }: { onDone: () => void }) {
  const gateways = useApp((s) => s.gateways);
  const createBoard = useApp((s) => s.createBoard);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [gatewayId, setGatewayId] = useState(gateways[0]?.id ?? '');
  const [createLead, setCreateLead] = useState(true);
  const [rules, setRules] = useState<Record<RuleKey, boolean>>(
    Object.fromEntries(RULES.map(([k, , d]) => [k, d])) as Record<RuleKey, boolean>,
  );
  const { submit, saving, error } = useSubmit(async () => {
    const board = await createBoard({
      name: name.trim(),
      description: description.trim() || name.trim(),
      gateway_id: gatewayId,
      create_lead: createLead,
      ...rules,
    });
    onDone();
    navigate(href.board(board.id));
  });
  return (
    <Card title="New board">
      <form className="form" onSubmit={submit} aria-label="New board">
        <div className="form-grid">
          <Field label="Board name">
            {(id) => <input id={id} required autoFocus value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <SelectField label="Gateway" options={gateways} value={gatewayId} onChange={setGatewayId} />
        </div>
        <Field label="Description" hint="What this board is for; its agents read it.">
          {(id, d) => (
            <textarea id={id} aria-describedby={d} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          )}
        </Field>
        <fieldset className="rules">
          <legend>Rules</legend>
          {RULES.map(([key, label]) => (
            <label key={key} className="check">
              <input type="checkbox" checked={rules[key]} onChange={(e) => setRules({ ...rules, [key]: e.target.checked })} /> {label}
            </label>
          ))}
          <label className="check">
            <input type="checkbox" checked={createLead} onChange={(e) => setCreateLead(e.target.checked)} /> Create and provision a lead
            agent for this board
          </label>
        </fieldset>
        <FormFooter
          error={error}
          saving={saving}
          canSubmit={Boolean(name.trim() && gatewayId)}
          submitLabel="Create board"
          savingLabel="Creating…"
          onCancel={onDone}
        />
      </form>
    </Card>
  );
}
