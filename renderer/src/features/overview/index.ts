/** The Overview page (attention list, fleet summary): the feature's only public entry. */
export { OverviewPage } from './overview';
