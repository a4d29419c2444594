import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { BoardRead } from '../../../../backend/contract/boards';
import type { WorkspaceTokenState } from '../../../../backend/contract/templates';
import { formatDateTime } from '../../model/format';
import { href } from '../../model/routes';
import { createSyncStore, watchSyncProgress, type SyncMode } from '../../model/stores/sync-store';
import { Card, Pill } from '../../ui/components';
import { useRoute, useStores } from '../../ui/context';
import { Icon } from '../../ui/icons';
import { useResource } from '../../ui/use-resource';
import type { Scope } from './scope';
import { SyncDialog } from './sync-dialog';
import { resultHeadline } from './sync-result';

export function TokenPill({ state }: { state: WorkspaceTokenState | null }) {
  if (state === null) return <Pill tone="muted">token not read</Pill>;
  if (state === 'match') return <Pill tone="ok">token matches</Pill>;
  return (
    <Pill tone="bad" title="Its check-ins are refused (401) until the token is re-keyed">
      {state === 'mismatch' ? 'token differs' : 'no token'}
    </Pill>
  );
}

export function TemplatesSection({ gateway, boards, agents }: Scope) {
  const { api, apiOptions } = useStores();
  const [store] = useState(() => {
    const created = createSyncStore(api);
    created.getState().open(gateway.id);
    return created;
  });
  const [dialog, setDialog] = useState<SyncMode | null>(null);
  // The boards to scope by, read fresh when a dialog opens (one may have been created since the page loaded).
  const { data: fresh } = useResource<BoardRead[]>(
    () => api('listBoards', { query: { gateway_id: gateway.id } }).then((page) => page.items),
    [api, dialog, gateway.id],
    { enabled: dialog !== null },
  );
  const last = useStore(store, (s) => s.last?.result ?? null);
  const lastMode = useStore(store, (s) => s.last?.mode ?? null);
  useEffect(() => store.getState().open(gateway.id), [store, gateway.id]);
  // Progress of any sync of this gateway (ours, the doctor's, the CLI's) while the page is open.
  useEffect(() => {
    const sub = watchSyncProgress(apiOptions, (p) => store.getState().applyProgress(p));
    return () => sub.close();
  }, [apiOptions, store]);
  const connected = gateway.connection_state === 'connected';
  // `#/gateways/<id>?sync=templates` (the Overview's “Review & sync”) opens the dialog once; the address
  // goes back to the plain page so a reload or Back does not open it again.
  const route = useRoute();
  const syncRequested = route.page === 'gateway' && route.id === gateway.id && route.sync === true;
  useEffect(() => {
    if (!syncRequested) return;
    setDialog('sync');
    window.history.replaceState(null, '', href.gateway(gateway.id));
  }, [syncRequested, gateway.id]);

  return (
    <Card
      title="Templates"
      className="templates-card"
      actions={
        <div className="row-actions">
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setDialog('sync')}>
            Sync templates…
          </button>
          <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => setDialog('rotate')}>
            Rotate tokens &amp; re-sync…
          </button>
        </div>
      }
    >
      <p className="muted">
        Every agent’s workspace files (AGENTS.md with its check-in token, SOUL.md, IDENTITY.md, USER.md, MEMORY.md) are written from{' '}
        <code>templates/</code>. Preview what differs on the gateway before re-syncing; an agent’s own USER.md and MEMORY.md are kept unless
        you choose to overwrite them.
      </p>
      {!connected && (
        <p className="small text-bad">The gateway is {gateway.connection_state}: the preview and the sync need it connected.</p>
      )}
      {last && (
        <p className="small sync-last">
          <Icon name={last.errors.length ? 'warn' : 'check'} size={14} /> Last {lastMode === 'rotate' ? 'rotation' : 'sync'}{' '}
          {formatDateTime(last.finished_at)}: {resultHeadline(last)}
        </p>
      )}
      {dialog && <SyncDialog store={store} mode={dialog} setMode={setDialog} scope={{ gateway, boards: fresh ?? boards, agents }} />}
    </Card>
  );
}
