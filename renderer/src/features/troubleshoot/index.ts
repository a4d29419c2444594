/** The Troubleshoot page (doctor flows): the feature's only public entry. */
export { flowForAttention, TroubleshootPage } from './troubleshoot';
