import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import { TlsRefusal, type PeerCertificateInfo } from './errors.js';

/*
 * Our own verification of a gateway's TLS certificate, so a refusal can show the certificate it saw
 * (Node's built-in `rejectUnauthorized` destroys the socket before anyone can read it) and so a
 * certificate the user pinned is accepted exactly. "Allow insecure" is trust on first use: the first
 * certificate is pinned, never "any certificate" (a later different one is refused as "certificate changed").
 *
 * Node still verifies the chain and the host name (`socket.authorized`); we only decide what to do
 * with the verdict, in `secureConnect`, before the WebSocket upgrade answer is read (the token is sent
 * only after the gateway's challenge, so nothing secret has left when a refusal closes the socket).
 */

/** `AB:CD:…` (upper case, colons), from any hex spelling with or without colons. */
export function normalizeFingerprint(value: string): string {
  const hex = value.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

const dn = (name: PeerCertificate['subject'] | undefined): string =>
  name
    ? Object.entries(name)
        .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
        .join(', ')
    : '';

const isoDate = (value: string): string => {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
};

export function certificateInfo(cert: PeerCertificate): PeerCertificateInfo {
  const subject = dn(cert.subject);
  const issuer = dn(cert.issuer);
  return {
    fingerprint_sha256: normalizeFingerprint(cert.fingerprint256 ?? ''),
    subject,
    issuer,
    valid_from: isoDate(cert.valid_from),
    valid_to: isoDate(cert.valid_to),
    self_signed: subject === issuer,
  };
}

export interface TlsPolicy {
  /**
   * The per-gateway “allow self-signed” switch: trust on first use. With no pin yet, the first
   * certificate is accepted without a CA and pinned; from then on only that one is (see
   * `verifyingTlsConnect`, and the manager, which saves the pin at the first successful connect).
   */
  allowInsecure: boolean;
  /** Accept exactly this certificate (SHA-256, `AB:CD:…`), instead of CA verification. */
  pinnedFingerprint: string | null;
}

/** Why this certificate is not accepted under the policy, or null when it is. */
export function judgeCertificate(socket: TLSSocket, policy: TlsPolicy): TlsRefusal | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.fingerprint256) return new TlsRefusal('NO_PEER_CERTIFICATE', 'the gateway presented no certificate', emptyInfo());
  const info = certificateInfo(cert);
  if (policy.pinnedFingerprint) {
    const pinned = normalizeFingerprint(policy.pinnedFingerprint);
    if (info.fingerprint_sha256 === pinned) return null;
    return new TlsRefusal(
      'CERT_PIN_MISMATCH',
      `certificate changed: the pinned certificate is SHA-256 ${pinned}, the gateway presented ${info.fingerprint_sha256}`,
      info,
      pinned,
    );
  }
  // Without a pin: CA verification, or (allowInsecure) the first use, which the caller then pins.
  if (socket.authorized || policy.allowInsecure) return null;
  const reason = String(socket.authorizationError ?? 'UNABLE_TO_VERIFY');
  return new TlsRefusal(reason, `${describe(reason)} (${reason}), SHA-256 ${info.fingerprint_sha256}`, info);
}

function describe(code: string): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'self-signed certificate';
    case 'CERT_HAS_EXPIRED':
      return 'certificate expired';
    case 'CERT_NOT_YET_VALID':
      return 'certificate not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'certificate is for another host name';
    default:
      return 'certificate not trusted';
  }
}

const emptyInfo = (): PeerCertificateInfo => ({
  fingerprint_sha256: '',
  subject: '',
  issuer: '',
  valid_from: '',
  valid_to: '',
  self_signed: false,
});

/**
 * ws's `createConnection` for wss: a TLS socket that Node verifies without rejecting, judged by the
 * policy once the handshake is done (a refusal destroys it with a TlsRefusal, which ws reports).
 */
export function verifyingTlsConnect(
  policy: TlsPolicy,
  /** The fingerprint of each certificate accepted (`AB:CD:…`): what a first use pins. */
  onAccepted?: (fingerprint: string) => void,
): (options: ConnectionOptions & { host?: string }) => Socket {
  // Trust on first use, within this connection too: once a certificate was accepted without a pin,
  // every reconnect must present the same one, even before the pin is saved.
  let pinned = policy.pinnedFingerprint;
  return (options) => {
    const host = options.host ?? '';
    const socket = tlsConnect({
      ...options,
      // As ws's own tlsConnect: `path` is the HTTP path here, not a unix socket; no SNI for an IP address.
      path: undefined,
      servername: options.servername ?? (isIP(host) ? '' : host),
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      const refusal = judgeCertificate(socket, { ...policy, pinnedFingerprint: pinned });
      if (refusal) {
        socket.destroy(refusal);
        return;
      }
      const seen = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      if (policy.allowInsecure && !pinned) pinned = seen;
      onAccepted?.(seen);
    });
    return socket;
  };
}
