import { Card } from '../components/ui';

/**
 * PLACEHOLDER — not wired. Template sync (`POST /api/v1/gateways/{id}/templates/sync`) and drift
 * (`GET /api/v1/gateways/{id}/templates/drift`) are being built separately; the lead wires this
 * section (drift preview → options → progress → result, and “Rotate tokens & re-sync”) after merging.
 */
export function TemplatesSection({ gatewayId }: { gatewayId: string }) {
  return (
    <Card title="Templates" className="placeholder" actions={<span className="badge">Not available yet</span>}>
      <p className="muted" data-gateway-id={gatewayId}>
        Template sync and drift preview are not part of this build yet. When they are, this section shows which agent workspaces differ from{' '}
        <code>templates/</code> and re-syncs them.
      </p>
    </Card>
  );
}
