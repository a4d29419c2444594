/** Every screen of the app, addressed by the URL hash (`#/boards/<id>`), so reload and back work. */
export type Route =
  | { page: 'overview' }
  | { page: 'gateways' }
  | { page: 'gateway-new' }
  /** `sync`: open its “Sync templates” dialog (the Overview's “Review & sync”). */
  | { page: 'gateway'; id: string; sync?: boolean }
  | { page: 'boards' }
  | { page: 'board'; id: string; task?: string }
  | { page: 'agents' }
  | { page: 'agent'; id: string }
  | { page: 'activity' }
  | { page: 'logs'; agent?: string; event?: string }
  | { page: 'settings' }
  | { page: 'troubleshoot'; flow?: string }
  | { page: 'not-found'; path: string };

export type Section = 'overview' | 'gateways' | 'boards' | 'agents' | 'activity' | 'logs' | 'settings' | 'troubleshoot';

export function parseRoute(hash: string): Route {
  const [rawPath = '', rawQuery = ''] = hash.replace(/^#/, '').split('?');
  const parts = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(rawQuery);
  const [a, b] = parts;
  if (parts.length === 0 || (a === 'overview' && !b)) return { page: 'overview' };
  if (a === 'gateways')
    return !b
      ? { page: 'gateways' }
      : b === 'new'
        ? { page: 'gateway-new' }
        : { page: 'gateway', id: b, ...(q.get('sync') === 'templates' ? { sync: true } : {}) };
  if (a === 'boards') return !b ? { page: 'boards' } : { page: 'board', id: b, ...(q.get('task') ? { task: q.get('task') ?? '' } : {}) };
  if (a === 'agents') return !b ? { page: 'agents' } : { page: 'agent', id: b };
  if (a === 'logs' && !b)
    return {
      page: 'logs',
      ...(q.get('agent') ? { agent: q.get('agent') ?? '' } : {}),
      ...(q.get('event') ? { event: q.get('event') ?? '' } : {}),
    };
  if (a === 'troubleshoot' && !b) return { page: a, ...(q.get('flow') ? { flow: q.get('flow') ?? '' } : {}) };
  if ((a === 'activity' || a === 'settings') && !b) return { page: a };
  return { page: 'not-found', path: rawPath };
}

export function sectionOf(route: Route): Section | null {
  switch (route.page) {
    case 'gateway':
    case 'gateway-new':
      return 'gateways';
    case 'board':
      return 'boards';
    case 'agent':
      return 'agents';
    case 'not-found':
      return null;
    default:
      return route.page;
  }
}

export const href = {
  overview: () => '#/overview',
  gateways: () => '#/gateways',
  gatewayNew: () => '#/gateways/new',
  gateway: (id: string) => `#/gateways/${id}`,
  /** The gateway page with its “Sync templates” dialog open (drift preview first). */
  gatewaySync: (id: string) => `#/gateways/${id}?sync=templates`,
  boards: () => '#/boards',
  board: (id: string, task?: string) => `#/boards/${id}${task ? `?task=${task}` : ''}`,
  agents: () => '#/agents',
  agent: (id: string) => `#/agents/${id}`,
  activity: () => '#/activity',
  logs: (f: { agent?: string; event?: string } = {}) => {
    const q = new URLSearchParams();
    if (f.agent) q.set('agent', f.agent);
    if (f.event) q.set('event', f.event);
    return `#/logs${[...q].length ? `?${q}` : ''}`;
  },
  settings: () => '#/settings',
  troubleshoot: (flow?: string) => `#/troubleshoot${flow ? `?flow=${encodeURIComponent(flow)}` : ''}`,
};
