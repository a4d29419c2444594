/** The Gateways pages (list, add, detail with teardown): the feature's only public entry. */
export { GatewayDetailPage, GatewayNewPage, GatewaysPage, gatewayTone } from './gateways';
