import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { DRIFT_JOB_CHANNEL, type DriftJobEvent } from '../../backend/lifecycle/drift-offload.js';

/** Records the drift jobs announced on the diagnostics channel, and whether one is running now. */
export function watchDriftJobs() {
  const events: DriftJobEvent[] = [];
  let running = 0;
  const onEvent = (message: unknown) => {
    const event = message as DriftJobEvent;
    events.push(event);
    running += event.phase === 'start' ? 1 : -1;
  };
  subscribe(DRIFT_JOB_CHANNEL, onEvent);
  return {
    events,
    running: () => running > 0,
    stop: () => unsubscribe(DRIFT_JOB_CHANNEL, onEvent),
  };
}
