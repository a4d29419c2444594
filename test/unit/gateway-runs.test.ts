import { describe, expect, it } from 'vitest';
import { classifyRunError, droppedWakeOf, runFailureOf, runFailureReason } from '../../backend/lifecycle/gateway-runs.js';

// Trimmed from real frames of openclaw 2026.9.6 (a connection that called `sessions.subscribe`).
const failedRun = {
  sessionKey: 'agent:mc-7f1c:main',
  agentId: 'mc-7f1c',
  phase: 'error',
  runId: 'ab0a9648-bc03-46d6-8280-5d60345a3b60',
  ts: 1795284725088,
  session: {
    key: 'agent:mc-7f1c:main',
    status: 'failed',
    lastRunError:
      'Authentication failed (provider returned HTTP 401). ... ave expired — try the request again in a moment. If the failure persists, re-authenticate this provider.',
    lastRunId: 'ab0a9648-bc03-46d6-8280-5d60345a3b60',
  },
};
const completedRun = { ...failedRun, phase: 'end', session: { status: 'done', lastRunId: failedRun.runId } };

describe('gateway run outcomes (sessions.changed)', () => {
  it('a failed run names the agent, the run and the gateway’s reason', () => {
    expect(runFailureOf('sessions.changed', failedRun)).toEqual({
      gatewayAgentId: 'mc-7f1c',
      runId: failedRun.runId,
      error: failedRun.session.lastRunError,
    });
  });

  it('other phases, other events and malformed payloads are not failures', () => {
    expect(runFailureOf('sessions.changed', completedRun)).toBeNull();
    expect(runFailureOf('sessions.changed', { ...failedRun, phase: 'start' })).toBeNull();
    expect(runFailureOf('sessions.changed', { reason: 'agent.input.settled', session: failedRun.session })).toBeNull();
    // The heartbeat event reports the failure too, but names no agent: it is not attributable.
    expect(runFailureOf('heartbeat', { status: 'failed', reason: 'agent-runner-failure', preview: '⚠️ Authentication failed' })).toBeNull();
    expect(runFailureOf('sessions.changed', 'not an object')).toBeNull();
    expect(runFailureOf('sessions.changed', { phase: 'error' })).toBeNull();
  });

  it('the agent comes from the session key when agentId is absent; a missing message is said so', () => {
    const { agentId: _drop, ...noAgent } = failedRun;
    expect(runFailureOf('sessions.changed', { ...noAgent, session: { status: 'failed' } })).toEqual({
      gatewayAgentId: 'mc-7f1c',
      runId: failedRun.runId,
      error: 'the gateway reported the run as failed without a message',
    });
  });

  it('an agent token in the gateway’s text never reaches the trail', () => {
    const token = 'Zr3x9QpL2mN8vB4cT7yH1kD6fG0sJ5wE-aU_iO3pLqM';
    const failure = runFailureOf('sessions.changed', {
      ...failedRun,
      session: { lastRunError: `curl -H "X-Agent-Token: ${token}" failed; also ${token}` },
    });
    expect(failure?.error).not.toContain(token);
    expect(failure?.error).toContain('[redacted]');
  });

  it('causes in a few words', () => {
    expect(classifyRunError(failedRun.session.lastRunError)).toBe('model auth');
    expect(
      classifyRunError(
        'Inline API key for provider "stub" is temporarily d ... rovider auth/billing failure. Retry after about 1 minute, or switch to a different auth profile/API key.',
      ),
    ).toMatch(/^model auth\/billing/);
    expect(classifyRunError('exec denied: Headless runs cannot wait for interactive exec approval.')).toBe('exec approval refused');
    expect(classifyRunError('Rate limit reached (HTTP 429)')).toBe('model rate limit');
    expect(classifyRunError('LLM request timed out.')).toBe('model timeout');
    expect(classifyRunError('The selected model was not found by the provider.')).toBe('model not found');
    expect(classifyRunError('provider returned HTTP 503')).toBe('model provider error');
    expect(classifyRunError('something nobody expected')).toBe('agent runner failed');
    expect(runFailureReason('LLM request timed out.')).toBe('gateway: agent run failed — model timeout (LLM request timed out.)');
  });
});

describe('droppedWakeOf (a wake the gateway accepted, then dropped before running it)', () => {
  // Verbatim from openclaw 2026.9.6: agent A woken, agent B created at once (the config reload supersedes A's run).
  const dropped = {
    ts: 1796604562861,
    status: 'failed',
    reason:
      'prepared model runtime plugin generation was superseded for /work/wt/ladder/.openclaw-test/run-17234-7fc926/home/.openclaw/agents/probe-a-06a4dd-2/agent',
    durationMs: 1355,
    indicatorType: 'error',
  };

  it('names the agent from the directory in the gateway’s reason', () => {
    expect(droppedWakeOf('heartbeat', dropped)).toEqual({ gatewayAgentId: 'probe-a-06a4dd-2', reason: dropped.reason });
    expect(droppedWakeOf('heartbeat', { ...dropped, reason: dropped.reason.replace('probe-a-06a4dd-2', 'mc-gateway-1f') })?.gatewayAgentId).toBe(
      'mc-gateway-1f',
    );
  });

  it('anything else is not a dropped wake: other failures, skips, other events', () => {
    expect(droppedWakeOf('heartbeat', { ...dropped, reason: 'agent-runner-failure' })).toBeNull();
    expect(droppedWakeOf('heartbeat', { ts: 1, status: 'skipped', reason: 'cron-in-progress', durationMs: 0 })).toBeNull();
    expect(droppedWakeOf('heartbeat', { ts: 1, status: 'ok-empty', reason: 'wake' })).toBeNull();
    expect(droppedWakeOf('sessions.changed', dropped)).toBeNull();
    expect(droppedWakeOf('heartbeat', null)).toBeNull();
  });
});
