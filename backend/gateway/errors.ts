import type { PeerCertificateInfo } from '../db/schema.js';
import { AppError } from '../errors.js';
import { PROTOCOL_VERSION, type GatewayErrorBody } from './protocol.js';

/**
 * Every way talking to a gateway can fail, as a stable code with a plain explanation and the next
 * step. The UI, the doctor and the API show these; the raw gateway text stays in `detail`.
 */
export type GatewayFailureCode =
  | 'unreachable'
  | 'tls'
  | 'token_mismatch'
  | 'missing_scope'
  | 'pairing_required'
  | 'device_auth'
  | 'protocol_mismatch'
  | 'version_too_old'
  | 'method_not_advertised'
  | 'starting'
  | 'timeout'
  | 'connection_lost'
  | 'rejected'
  | 'answer_invalid'
  | 'credentials_unreadable';

const GUIDE: Record<GatewayFailureCode, { explanation: string; nextStep: string; retryable: boolean }> = {
  unreachable: {
    explanation: 'Nothing answered at the gateway URL.',
    nextStep: 'Check that the OpenClaw gateway is running (`openclaw gateway run`) and that the URL and port are right.',
    retryable: true,
  },
  tls: {
    explanation: 'The gateway’s TLS certificate was not accepted (self-signed, expired, for another host name, or not the one pinned).',
    nextStep:
      'Compare the certificate’s SHA-256 fingerprint with the one on the gateway host (`openssl x509 -in <cert> -noout -fingerprint -sha256`; OpenClaw’s own is ~/.openclaw/gateway/tls/gateway-cert.pem); if they match, trust (pin) this certificate for the gateway. Or use a certificate a trusted CA signed.',
    retryable: false,
  },
  token_mismatch: {
    explanation: 'The gateway refused the token: it is not the gateway’s auth token.',
    nextStep: 'Copy `gateway.auth.token` from the gateway host’s ~/.openclaw/openclaw.json into this gateway’s settings.',
    retryable: false,
  },
  missing_scope: {
    explanation: 'The gateway accepted the connection but did not grant the operator scopes Mission Control needs.',
    nextStep:
      'Mission Control needs operator.read, operator.write and operator.admin. Approve its device on the gateway, or use a token with those scopes.',
    retryable: false,
  },
  pairing_required: {
    explanation: 'The gateway does not know this device yet and waits for someone to approve it.',
    nextStep:
      'On the gateway host run `openclaw devices list`, then `openclaw devices approve <request id>` for “OpenClaw Mission Control”.',
    retryable: true,
  },
  device_auth: {
    explanation: 'The gateway rejected Mission Control’s device signature.',
    nextStep: 'Check that this machine’s clock is correct; if it is, re-test the connection (a fresh challenge is signed each time).',
    retryable: true,
  },
  protocol_mismatch: {
    explanation: 'The gateway speaks a different wire protocol than this version of Mission Control (protocol 4).',
    nextStep: 'Update the gateway (npm i -g openclaw@latest) or Mission Control so both speak protocol 4.',
    retryable: false,
  },
  version_too_old: {
    explanation: 'The gateway is older than the minimum version Mission Control supports.',
    nextStep: 'Upgrade OpenClaw on the gateway host (npm i -g openclaw@latest), then restart the gateway.',
    retryable: false,
  },
  method_not_advertised: {
    explanation: 'The gateway does not offer a method Mission Control needs for this action.',
    nextStep: 'Upgrade OpenClaw on the gateway host; this gateway version lacks the feature.',
    retryable: false,
  },
  starting: {
    explanation: 'The gateway is still starting up.',
    nextStep: 'Wait a few seconds; Mission Control retries on its own.',
    retryable: true,
  },
  timeout: {
    explanation: 'The gateway did not answer in time.',
    nextStep: 'Check the gateway’s load and logs; Mission Control retries.',
    retryable: true,
  },
  connection_lost: {
    explanation: 'The connection to the gateway closed before the answer came.',
    nextStep: 'Mission Control reconnects on its own; if it keeps happening, check the gateway’s logs.',
    retryable: true,
  },
  rejected: {
    explanation: 'The gateway refused the request.',
    nextStep: 'See the gateway’s message; fix the request or the gateway’s configuration.',
    retryable: false,
  },
  answer_invalid: {
    explanation: 'The gateway answered in a shape this version of Mission Control does not understand.',
    nextStep:
      'Check that the gateway runs an OpenClaw version Mission Control supports (the doctor names both); if it does, report the method and field named here.',
    retryable: false,
  },
  credentials_unreadable: {
    explanation: 'Mission Control cannot open the gateway token it saved for this gateway (it is sealed with an OS keychain this process cannot use).',
    nextStep:
      'Re-enter the gateway token in this gateway’s settings (Gateways → the gateway → Edit); it is sealed again with this keychain. If the desktop app sealed it and this is the headless server or the CLI, run the desktop app instead.',
    retryable: false,
  },
};

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly explanation: string;
  readonly nextStep: string;
  readonly retryable: boolean;
  constructor(
    readonly code: GatewayFailureCode,
    /** What the gateway or the socket said (never contains our secrets: they are not in URLs or messages). */
    readonly detail: string,
    readonly gatewayCode?: string,
    readonly details?: Record<string, unknown>,
    readonly retryAfterMs?: number,
  ) {
    super(`${GUIDE[code].explanation} (${detail})`);
    this.explanation = GUIDE[code].explanation;
    this.nextStep = GUIDE[code].nextStep;
    this.retryable = GUIDE[code].retryable;
  }

  /** The JSON the API returns for it. */
  toJSON() {
    return { code: this.code, message: this.explanation, next_step: this.nextStep, detail: this.detail, retryable: this.retryable };
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const NET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']);

/** The certificate a TLS refusal carries: the same shape a gateway's stored `last_error` keeps (db/schema). */
export type { PeerCertificateInfo };

/**
 * The gateway's certificate refused by our own verification (backend/gateway/connection.ts): CA
 * verification or host name failed, or a pinned certificate was replaced. Carries the certificate.
 */
export class TlsRefusal extends Error {
  override name = 'TlsRefusal';
  constructor(
    /** Node's verification code (`DEPTH_ZERO_SELF_SIGNED_CERT`, …) or `CERT_PIN_MISMATCH`. */
    readonly code: string,
    message: string,
    readonly certificate: PeerCertificateInfo,
    /** The fingerprint pinned for this gateway, when the refusal is a changed certificate. */
    readonly pinned: string | null = null,
  ) {
    super(message);
  }
}

/** A socket-level failure (before or instead of a gateway answer). */
export function classifySocketError(err: NodeJS.ErrnoException): GatewayError {
  if (err instanceof TlsRefusal) {
    return new GatewayError('tls', err.message, err.code, {
      certificate: err.certificate,
      ...(err.pinned && { pinned_fingerprint: err.pinned }),
    });
  }
  const code = err.code ?? '';
  if (TLS_CODES.has(code) || /certificate|self[- ]signed/i.test(err.message)) return new GatewayError('tls', err.message, code);
  if (NET_CODES.has(code)) return new GatewayError('unreachable', err.message, code);
  if (/Unexpected server response: (\d+)/.test(err.message))
    return new GatewayError('unreachable', `not an OpenClaw gateway: ${err.message}`);
  return new GatewayError('connection_lost', err.message || code || 'socket error', code);
}

/** An error answer from the gateway (`ok:false`), during connect or for a request. */
export function classifyGatewayError(body: GatewayErrorBody): GatewayError {
  const details = body.details ?? {};
  const detailCode = typeof details.code === 'string' ? details.code : '';
  const message = body.message;
  const make = (code: GatewayFailureCode) => new GatewayError(code, message, detailCode || body.code, details, body.retryAfterMs);
  if (detailCode === 'AUTH_TOKEN_MISMATCH' || /token mismatch|unauthorized/i.test(message)) return make('token_mismatch');
  if (detailCode === 'MISSING_SCOPE' || /missing scope/i.test(message)) return make('missing_scope');
  if (/PAIRING|NOT_PAIRED/i.test(detailCode) || /pairing required|not paired|awaiting approval/i.test(message))
    return make('pairing_required');
  if (detailCode.startsWith('DEVICE_AUTH')) return make('device_auth');
  if (detailCode === 'PROTOCOL_MISMATCH' || /protocol mismatch/i.test(message)) {
    // The gateway names the protocol it speaks (`expectedProtocol`): say both sides.
    const theirs = typeof details.expectedProtocol === 'number' ? details.expectedProtocol : null;
    const said = theirs === null ? message : `${message}: the gateway speaks protocol ${theirs}, Mission Control speaks ${PROTOCOL_VERSION}`;
    return new GatewayError('protocol_mismatch', said, detailCode || body.code, details);
  }
  if (body.code === 'UNAVAILABLE' && details.reason === 'startup-sidecars') return make('starting');
  return make('rejected');
}

/**
 * A refusal worth another try: one the guide calls retryable (socket gone, timeout, starting) or the
 * gateway's own `UNAVAILABLE` (seen under load: a state lease lost half-way through an operation).
 */
export const isTransientGatewayError = (err: GatewayError): boolean => err.retryable || err.gatewayCode === 'UNAVAILABLE';

/** Failures a compatibility check reports as bad input (422) rather than a bad gateway (502). */
const COMPAT_CODES = new Set<GatewayFailureCode>(['version_too_old', 'method_not_advertised', 'protocol_mismatch']);

export interface GatewayAppErrorWording {
  /** What was being done, before the explanation: `Gateway cleanup failed` → "Gateway cleanup failed: <explanation>". */
  context?: string;
  /** Added after the failure's next step (another way out the caller offers). */
  alsoNextStep?: string;
  /** A compatibility check: a too old gateway, a missing method or another protocol is bad input (422). */
  compatibility?: boolean;
}

/**
 * The one mapping of a classified gateway failure to the API's error: `gateway_error` (502) with
 * `{message, code, next_step, detail}`, plus the refused certificate for a TLS failure (so the user
 * can compare and pin it). `detail` is the gateway's or the socket's text, never our secrets.
 */
export function gatewayAppError(err: GatewayError, wording: GatewayAppErrorWording = {}): AppError {
  const detail = {
    message: wording.context ? `${wording.context}: ${err.explanation}` : err.explanation,
    code: err.code,
    next_step: wording.alsoNextStep ? `${err.nextStep} ${wording.alsoNextStep}` : err.nextStep,
    detail: err.detail,
    ...(err.code === 'tls' && err.details?.certificate ? { certificate: err.details.certificate } : {}),
  };
  return new AppError(wording.compatibility && COMPAT_CODES.has(err.code) ? 'validation_failed' : 'gateway_error', detail);
}

/** For a catch: a gateway failure as the API's error (see gatewayAppError), anything else unchanged. */
export function asAppError(err: unknown, wording: GatewayAppErrorWording = {}): unknown {
  return err instanceof GatewayError ? gatewayAppError(err, wording) : err;
}
