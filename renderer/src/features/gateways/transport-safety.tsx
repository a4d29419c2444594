import { isCleartextRemote } from '../../../../backend/contract/gateways';

/*
 * How the gateway's credentials travel (#13 item 8): a self-signed certificate is trusted on first use
 * (pinned, never "any certificate"), and plain ws:// to another machine sends the token in clear —
 * the server refuses it unless this confirmation is ticked.
 */
export function TransportSafety({
  url,
  insecure,
  setInsecure,
  cleartext,
  setCleartext,
}: {
  url: string;
  insecure: boolean;
  setInsecure: (v: boolean) => void;
  cleartext: boolean;
  setCleartext: (v: boolean) => void;
}) {
  const remotePlain = isCleartextRemote(url.trim());
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={insecure} onChange={(e) => setInsecure(e.target.checked)} /> Accept a self-signed TLS certificate
        (wss:// only): the certificate seen at the first connection is pinned, and a different one is refused later
      </label>
      {remotePlain && (
        <div className="alert tone-warn" role="status">
          <div className="alert-body">
            <strong>ws:// to another machine: the token travels in clear</strong>
            <div>
              Anyone on the network path can read the gateway token and use it. Prefer wss://.
              <label className="check">
                <input type="checkbox" checked={cleartext} onChange={(e) => setCleartext(e.target.checked)} /> Send it in clear anyway
              </label>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
