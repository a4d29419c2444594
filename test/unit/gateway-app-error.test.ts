import { describe, expect, it } from 'vitest';
import { AppError } from '../../backend/errors.js';
import { GatewayError, asAppError, gatewayAppError } from '../../backend/gateway/errors.js';

/** The one mapping of gateway failures to the API's errors (backend/gateway/errors.ts), used by every route, fix and sync. */
describe('gatewayAppError', () => {
  it('a changed gateway answer is a 502 gateway_error naming the method and field, with the next step', () => {
    const err = gatewayAppError(new GatewayError('answer_invalid', 'agents.list answered an unexpected shape at agents.0.id: expected string'));
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(502);
    expect(err.detail).toMatchObject({
      code: 'answer_invalid',
      message: expect.stringContaining('does not understand'),
      next_step: expect.stringContaining('supports'),
      detail: expect.stringContaining('agents.list answered an unexpected shape at agents.0.id'),
    });
  });

  it('the caller’s wording: a context before the explanation, another way out after the next step', () => {
    const failure = new GatewayError('timeout', 'agents.delete did not answer within 30000 ms');
    const err = gatewayAppError(failure, { context: 'Gateway cleanup failed', alsoNextStep: 'Or delete with ?force=true.' });
    expect(err.detail).toEqual({
      message: `Gateway cleanup failed: ${failure.explanation}`,
      code: 'timeout',
      next_step: `${failure.nextStep} Or delete with ?force=true.`,
      detail: failure.detail,
    });
  });

  it('only a compatibility check makes an old gateway bad input (422); elsewhere it stays a 502', () => {
    const old = new GatewayError('method_not_advertised', 'the gateway does not offer wake');
    expect(gatewayAppError(old, { compatibility: true }).status).toBe(422);
    expect(gatewayAppError(old).status).toBe(502);
    expect(gatewayAppError(new GatewayError('credentials_unreadable', 'sealed')).status).toBe(409);
  });

  it('a refused certificate travels with the error; anything that is not a gateway failure passes through', () => {
    const certificate = { fingerprint_sha256: 'AB:CD', subject: 'CN=x', issuer: 'CN=x', valid_from: '', valid_to: '', self_signed: true };
    const tls = gatewayAppError(new GatewayError('tls', 'self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT', { certificate }));
    expect(tls.detail).toMatchObject({ code: 'tls', certificate });
    const other = new Error('bug');
    expect(asAppError(other)).toBe(other);
    expect(asAppError(new GatewayError('rejected', 'no'))).toBeInstanceOf(AppError);
  });
});
