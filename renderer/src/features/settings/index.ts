/** The Settings page: the feature's only public entry. */
import './settings.css';
export { SettingsPage } from './settings';
