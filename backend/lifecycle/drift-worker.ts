import { parentPort, workerData } from 'node:worker_threads';
import { runDriftJob, type DriftJob } from './drift-job.js';

/* The drift worker's entry (see drift-offload.ts): one job in `workerData`, one answer back. */
parentPort?.postMessage(runDriftJob(workerData as DriftJob));
