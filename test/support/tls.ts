import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/*
 * Certificates for TLS tests, made by `openssl` at test time (never committed): a self-signed EC pair
 * and the SHA-256 fingerprint as openssl prints it — an independent reading to compare the product's with.
 */

/** A self-signed P-256 certificate and key in `dir` (`<name>.pem`, `<name>.key`), valid one day. */
export function makeSelfSignedCert(dir: string, name: string, subjectAltName: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  // prettier-ignore
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName}`,
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}

/** `openssl x509 -fingerprint -sha256` of a certificate file: `AB:CD:…`. */
export const opensslFingerprint = (certFile: string): string =>
  execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' })
    .trim()
    .split('=')[1]!
    .toUpperCase();
