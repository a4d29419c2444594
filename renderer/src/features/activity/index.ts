/** The Activity and Logs pages: the feature's only public entry. */
export { ActivityPage, LogsPage } from './activity';
