import { useEffect, useRef, useState, type FormEvent } from 'react';
import { subscribeAgentEvents } from './model/api/events';
import { Icon, type IconName } from './ui/icons';
import { Spinner } from './ui/components';
import { useApp, useRoute, useStores } from './ui/context';
import { href, sectionOf, type Route, type Section } from './model/routes';
import { ActivityPage, LogsPage } from './features/activity';
import { AgentPage, AgentsPage } from './features/agents';
import { BoardsPage, BoardView } from './features/boards';
import { GatewayDetailPage, GatewayNewPage, GatewaysPage } from './features/gateways';
import { OverviewPage } from './features/overview';
import { SettingsPage } from './features/settings';
import { TroubleshootPage } from './features/troubleshoot';

const NAV: { section: Section; label: string; icon: IconName; to: string }[] = [
  { section: 'overview', label: 'Overview', icon: 'overview', to: href.overview() },
  { section: 'gateways', label: 'Gateways', icon: 'gateway', to: href.gateways() },
  { section: 'boards', label: 'Boards', icon: 'board', to: href.boards() },
  { section: 'agents', label: 'Agents', icon: 'agent', to: href.agents() },
  { section: 'activity', label: 'Activity', icon: 'activity', to: href.activity() },
  { section: 'logs', label: 'Logs', icon: 'logs', to: href.logs() },
];
const NAV_BOTTOM: typeof NAV = [
  { section: 'troubleshoot', label: 'Troubleshoot', icon: 'help', to: href.troubleshoot() },
  { section: 'settings', label: 'Settings', icon: 'settings', to: href.settings() },
];

export function App() {
  const session = useApp((s) => s.session);
  const init = useApp((s) => s.init);
  useEffect(() => {
    void init();
  }, [init]);
  if (session === 'checking')
    return (
      <div className="boot">
        <Spinner label="Connecting to Mission Control" />
      </div>
    );
  return session === 'ready' ? <Shell /> : <SignIn />;
}

function SignIn() {
  const signIn = useApp((s) => s.signIn);
  const error = useApp((s) => s.error);
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    setBusy(true);
    await signIn(value);
    setBusy(false);
  };
  return (
    <main className="signin">
      <div className="signin-card">
        <div className="brand brand-large">
          <span className="logo">
            <Icon name="logo" size={26} />
          </span>
          <span>Mission Control</span>
        </div>
        <h1>Sign in to OpenClaw Mission Control</h1>
        <p className="lead">
          Open the one-time sign-in link that <code>mission-control serve</code> printed in its terminal. No link at hand? Paste the local
          token instead.
        </p>
        <form onSubmit={submit} aria-label="Sign in with the local token">
          <label htmlFor="token">Local token</label>
          <input
            id="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-describedby="token-hint"
          />
          <p id="token-hint" className="hint">
            It is in the file <code>local-auth-token</code> in the data folder. It is exchanged for a session cookie and not kept by this
            browser.
          </p>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy || !value.trim()}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <div className="form-status">
            {error && (
              <p role="alert" className="field-error">
                {error}
              </p>
            )}
          </div>
        </form>
      </div>
    </main>
  );
}

/**
 * Keeps agents and gateway health live while signed in (one event stream); re-reads both after every
 * (re)connect, because the stream does not replay what happened while it was down.
 */
function useLiveAgents() {
  const { app, board, apiOptions } = useStores();
  useEffect(() => {
    const sub = subscribeAgentEvents(apiOptions, {
      onAgent: (agent) => {
        app.getState().applyAgent(agent);
        board.getState().applyAgent(agent);
      },
      onGateway: (gateway) => app.getState().applyGateway(gateway),
      onState: (state) => app.getState().setStream(state),
      onConnected: () => {
        void app.getState().refreshAgents();
        void app.getState().refreshGateways();
      },
    });
    return () => sub.close();
  }, [app, board, apiOptions]);
}

function Shell() {
  const route = useRoute();
  const section = sectionOf(route);
  const stream = useApp((s) => s.stream);
  const signOut = useApp((s) => s.signOut);
  const bridge = useStores().bridge;
  const main = useRef<HTMLElement>(null);
  useLiveAgents();
  // A new page moves focus to its content, as a page load would (screen readers announce it).
  // Opening a task (the drawer) is not a new page: the drawer takes focus itself.
  const key = JSON.stringify(route.page === 'board' ? { page: route.page, id: route.id } : route);
  const firstPage = useRef(true);
  useEffect(() => {
    // Not on the first page: a fresh load starts at the top of the document (the skip link first).
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    main.current?.focus({ preventScroll: true });
    main.current?.scrollTo?.(0, 0);
  }, [key]);
  const link = (item: (typeof NAV)[number]) => (
    <li key={item.section}>
      <a href={item.to} aria-current={section === item.section ? 'page' : undefined}>
        <Icon name={item.icon} />
        <span>{item.label}</span>
      </a>
    </li>
  );
  return (
    <div className="shell">
      {/* The hash is the router's: the skip link moves focus itself instead of navigating to #content. */}
      <a
        className="skip"
        href="#content"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <a className="brand" href={href.overview()}>
          <span className="logo">
            <Icon name="logo" size={22} />
          </span>
          <span>Mission Control</span>
        </a>
        <ul>{NAV.map(link)}</ul>
        <ul className="nav-bottom">{NAV_BOTTOM.map(link)}</ul>
        <div className="sidebar-foot">
          <span className={`live live-${stream}`} role="status" title="Agent status updates from the server">
            <span className="dot" aria-hidden="true" />
            {stream === 'live' ? 'Live' : stream === 'retrying' ? 'Reconnecting…' : 'Connecting…'}
          </span>
          {!bridge && (
            <button type="button" className="link-btn" onClick={() => void signOut()}>
              Sign out
            </button>
          )}
        </div>
      </nav>
      <main id="content" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <Toasts />
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'gateways':
      return <GatewaysPage />;
    case 'gateway-new':
      return <GatewayNewPage />;
    case 'gateway':
      return <GatewayDetailPage id={route.id} />;
    case 'boards':
      return <BoardsPage />;
    case 'board':
      return <BoardView id={route.id} taskId={route.task ?? null} />;
    case 'agents':
      return <AgentsPage />;
    case 'agent':
      return <AgentPage id={route.id} />;
    case 'activity':
      return <ActivityPage />;
    case 'logs':
      return <LogsPage agent={route.agent ?? ''} event={route.event ?? ''} />;
    case 'settings':
      return <SettingsPage />;
    case 'troubleshoot':
      return <TroubleshootPage flow={route.flow ?? null} />;
    case 'not-found':
      return (
        <div className="page">
          <h1>Page not found</h1>
          <p>
            Nothing lives at <code>{route.path}</code>. <a href={href.overview()}>Go to the overview</a>.
          </p>
        </div>
      );
  }
}

function Toasts() {
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast tone-${t.tone}`} role={t.tone === 'bad' ? 'alert' : 'status'}>
          <span>{t.text}</span>
          <button type="button" className="icon-btn" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
