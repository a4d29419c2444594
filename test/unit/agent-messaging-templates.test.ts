import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../backend/contract/routes.js';
import { renderTemplate } from '../../backend/templates/render.js';
import { templateContext } from '../support/template-context.js';

/*
 * What AGENTS.md teaches about agent messaging (#16): the main agent the lead message and broadcast, a
 * lead the nudge and ask-user — and every `METHOD <base>/api/v1/…` it writes is a route of the contract
 * with that method, so no agent is taught a call that answers 404.
 */

const BASE = 'http://localhost:8000';
const render = (role: 'main' | 'lead' | 'worker') => renderTemplate('AGENTS.md', { ...templateContext('tok'), role });

/** `/api/v1/agent/boards/<BOARD_ID>/memory?is_chat=false` → a matcher of the route paths it may be. */
function routeFor(method: string, url: string) {
  const path = url.replace(BASE, '').split('?')[0]!;
  return Object.values(ROUTES).find(
    (r) =>
      r.method === method.toLowerCase() && new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path.replace(/<[A-Z_]+>|…/g, 'x')),
  );
}

const calls = (text: string) => [...text.matchAll(/\b(GET|POST|PATCH|PUT|DELETE) (http:\/\/localhost:8000\/api\/v1\/[^\s`]+)/g)];

describe('AGENTS.md and the messaging endpoints', () => {
  it('the main agent is taught lead message, broadcast and how to read replies; a lead the nudge and ask-user', () => {
    const main = render('main');
    expect(main).toContain(`POST ${BASE}/api/v1/agent/gateway/boards/<BOARD_ID>/lead/message`);
    expect(main).toContain(`POST ${BASE}/api/v1/agent/gateway/leads/broadcast`);
    expect(main).toContain('LEAD REQUEST: ASK USER');
    const lead = render('lead');
    expect(lead).toMatch(/agents\/<AGENT_ID>\/nudge/);
    expect(lead).toContain('/gateway/main/ask-user');
    expect(render('worker')).not.toContain('/nudge');
  });

  it('every call written in AGENTS.md, for every role, is a contract route with that method', () => {
    for (const role of ['main', 'lead', 'worker'] as const) {
      const found = calls(render(role));
      expect(found.length, role).toBeGreaterThan(0);
      for (const [, method, url] of found) expect(routeFor(method!, url!), `${role}: ${method} ${url}`).toBeDefined();
    }
  });
});
