import { useEffect, useRef, useState } from 'react';
import { createTemplateDriftStore } from '../../model/stores/attention-store';
import { createDoctorStore } from '../../model/stores/doctor-store';
import { watchSyncProgress } from '../../model/stores/sync-store';
import { useApp, useStores } from '../../ui/context';

/** How often the cheap reads (the token-drift check, the remembered template drift) are repeated while the page is open. */
const REFRESH_MS = 30_000;
/** Live agent changes come in bursts (a ladder, a sync): the reads follow once a burst settles. */
const SETTLE_MS = 1_500;
export const TOKEN_DRIFT = 'agents.token_drift' as const;

/**
 * The Overview's evidence: the doctor's token-drift check (DB only) and the remembered template drift,
 * read on open, every REFRESH_MS, after a burst of live agent changes, and after any template sync.
 */
export function useAttentionEvidence() {
  const { api, apiOptions } = useStores();
  const [doctor] = useState(() => createDoctorStore(api));
  const [templates] = useState(() => createTemplateDriftStore(api));
  const agents = useApp((s) => s.agents);
  const first = useRef(true);
  useEffect(() => {
    const read = () => {
      void doctor.getState().runChecks([TOKEN_DRIFT]);
      void templates.getState().load();
    };
    read();
    const t = setInterval(read, REFRESH_MS);
    const sub = watchSyncProgress(apiOptions, (p) => p.phase === 'finished' && void templates.getState().load());
    return () => {
      clearInterval(t);
      sub.close();
    };
  }, [apiOptions, doctor, templates]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => {
      void doctor.getState().runChecks([TOKEN_DRIFT]);
      void templates.getState().load();
    }, SETTLE_MS);
    return () => clearTimeout(t);
  }, [agents, doctor, templates]);
  return { doctor, templates };
}
