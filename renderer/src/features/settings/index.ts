/** The Settings page: the feature's only public entry. */
export { SettingsPage } from './settings';
