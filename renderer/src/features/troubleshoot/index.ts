/** The Troubleshoot page (doctor flows): the feature's only public entry. */
import './troubleshoot.css';
export { flowForAttention } from './flows';
export { TroubleshootPage } from './troubleshoot';
