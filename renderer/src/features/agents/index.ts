/** The Agents list and one agent's page: the feature's only public entry. */
export { AgentPage, AgentsPage } from './agents';
