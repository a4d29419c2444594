/** The Troubleshoot page (doctor flows): the feature's only public entry. */
export { flowForAttention } from './flows';
export { TroubleshootPage } from './troubleshoot';
