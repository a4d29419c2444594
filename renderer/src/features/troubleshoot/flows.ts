import { type ReactNode } from 'react';
import type { CheckId } from '../../../../backend/contract/diagnostics';
import { type IconName } from '../../ui/icons';

/** The guided flows: one per symptom of the seed guide, each naming the checks that are its evidence. */

export interface Flow {
  id: string;
  icon: IconName;
  symptom: string;
  /** What the person sees that brings them here. */
  sees: string;
  checks: CheckId[];
  /** The usual causes, in plain words (the checks' own explanations follow). */
  means: string;
  /** When every check passes. */
  allClear: ReactNode;
}

export const FLOWS: Flow[] = [
  {
    id: 'token-drift',
    icon: 'warn',
    symptom: 'Check-ins refused with 401 (token drift)',
    sees: 'An agent’s heartbeat calls are answered 401; its status turns offline although it runs.',
    checks: ['agents.token_drift', 'gateway.template_drift'],
    means:
      'The token in the agent’s AGENTS.md is not the one Mission Control holds — it was rotated here, or the workspace was restored from elsewhere. Mission Control never re-keys silently: rotate & re-sync gives the agents new tokens, writes them into their workspaces, and waits for each to check in with the new one.',
    allClear: 'No agent is calling with a rotated token, and every workspace token matches.',
  },
  {
    id: 'not-responding',
    icon: 'agent',
    symptom: 'An agent does not respond to its heartbeat',
    sees: 'The agent stays silent after being woken; the wake ladder counts up to its last attempt and marks it offline.',
    checks: ['agents.offline', 'agents.never_checked_in', 'gateway.exec_policy', 'api.base_url', 'agents.token_drift'],
    means:
      'An agent checks in by running a curl command from its AGENTS.md. It stays silent when the gateway’s exec policy refuses that command, when the base URL it is told to call does not reach this app, when its token is refused, or when the model never runs the check-in.',
    allClear: 'Every agent whose wakes are over has checked in; the exec policy and the base URL let them.',
  },
  {
    id: 'stuck-provisioning',
    icon: 'spark',
    symptom: 'An agent is stuck in “provisioning”',
    sees: 'The agent’s status stays provisioning (the old guide set it to ready by hand in SQL — never needed here).',
    checks: ['agents.stuck', 'agents.never_checked_in', 'scheduler.alive', 'gateway.exec_policy'],
    means:
      'Every provisioning ends online or offline-with-a-reason within the wake ladder (deadline × attempts). Longer means the scheduler stopped ticking or the agent never runs its check-in. Re-provisioning starts a new cycle; a status is never written by hand.',
    allClear: 'No agent is beyond the ladder’s bound and the scheduler is ticking.',
  },
  {
    id: 'gateway-rejected',
    icon: 'gateway',
    symptom: 'The gateway rejects Mission Control (missing scope, pairing)',
    sees: '“missing scope: operator.read”, “pairing required” or a refused token when connecting.',
    checks: ['gateway.connection'],
    means:
      'Mission Control connects with its own device identity. A loopback gateway pairs it at once; a remote one may wait for approval (the check names the exact `openclaw devices approve …`), or refuse the stored gateway token.',
    allClear: 'Every gateway accepts this app with the scopes it needs.',
  },
  {
    id: 'gateway-too-old',
    icon: 'gateway',
    symptom: 'The gateway is too old or rejects workspace files',
    sees: '“Gateway rejected required lead workspace files as unsupported”, or methods missing.',
    checks: ['gateway.connection', 'gateway.template_drift'],
    means:
      'Mission Control needs a minimum gateway version and a set of methods. Files the current gateway refuses (TOOLS.md, HEARTBEAT.md) are reported as “not supported” and their content goes where the gateway accepts it.',
    allClear: 'Every gateway is new enough and advertises the methods Mission Control uses.',
  },
  {
    id: 'cant-connect',
    icon: 'gateway',
    symptom: 'Can’t connect to the gateway',
    sees: 'The gateway shows failed or waiting; agents are not provisioned.',
    checks: ['gateway.connection', 'api.base_url'],
    means:
      'Nothing answers at the gateway URL (stopped, wrong port), TLS fails, or the token is wrong. Each failure is classified with its next step; after fixing it, re-test the gateway.',
    allClear: 'Every gateway answers, and agents can reach this app’s base URL.',
  },
  {
    id: 'port-in-use',
    icon: 'settings',
    symptom: 'The app won’t start: port in use',
    sees: '“EADDRINUSE” or the app exits at start.',
    checks: ['api.port'],
    means:
      'Another process holds the port. While the app runs this check only confirms where it listens. When it will not start, run `mission-control doctor` in a terminal: it names the process holding the port and a free alternative — then start with `--port N` (or MC_PORT).',
    allClear: 'The app is listening on its port.',
  },
  {
    id: 'slow-api',
    icon: 'activity',
    symptom: 'The app or its API is slow',
    sees: 'Pages and agent calls take seconds; the machine is busy.',
    checks: ['process.memory', 'db.wal', 'db.integrity', 'scheduler.alive', 'logging.level'],
    means:
      'The usual suspects are a growing backend, a large write-ahead log, debug logging left on, or a scheduler that falls behind. Queries are indexed and measured by the benchmarks; a support bundle helps when none of these explains it.',
    allClear: 'Memory, database and logging look healthy.',
  },
];

/** The guided flow for an Overview attention item (offline, stuck, token drift, not provisioned). */
export const flowForAttention = (kind: string): string =>
  kind === 'drift' ? 'token-drift' : kind === 'not provisioned' ? 'stuck-provisioning' : 'not-responding';
