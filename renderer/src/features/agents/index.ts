/** The Agents list and one agent's page: the feature's only public entry. */
import './agents.css';
export { AgentPage } from './agent-page';
export { AgentsPage } from './agents';
