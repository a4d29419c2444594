/** The Overview page (attention list, fleet summary): the feature's only public entry. */
import './overview.css';
export { OverviewPage } from './overview';
