/** The Gateways pages (list, add, detail with teardown): the feature's only public entry. */
import './gateways.css';
export { GatewayDetailPage } from './gateway-detail';
export { GatewayNewPage } from './gateway-new';
export { GatewaysPage, gatewayTone } from './gateways';
