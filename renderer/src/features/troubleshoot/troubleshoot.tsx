import { useEffect, useState } from 'react';
import { createDoctorStore } from '../../model/stores/doctor-store';
import { useStores } from '../../ui/context';
import { Overview } from './doctor-overview';
import { FlowPage } from './flow-page';
import { FLOWS } from './flows';

/*
 * Troubleshoot (`#/troubleshoot`): the doctor's report grouped by severity, each fix a button that
 * shows its verify result, the support bundle, and guided flows for the seed guide's symptoms
 * (`#/troubleshoot?flow=<id>`): symptom → live evidence from the relevant checks → what it means →
 * action → verify result.
 */
export function TroubleshootPage({ flow }: { flow: string | null }) {
  const { api } = useStores();
  const [store] = useState(() => createDoctorStore(api));
  const selected = FLOWS.find((f) => f.id === flow) ?? null;
  useEffect(() => {
    if (!selected) void store.getState().load();
  }, [store, selected]);
  return selected ? <FlowPage flow={selected} store={store} /> : <Overview store={store} />;
}
