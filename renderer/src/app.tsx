import { useEffect, useState, type FormEvent } from 'react';
import { useStore, type Page } from './store';
import { AgentsPage, BoardsPage, GatewaysPage, OverviewPage } from './pages/pages';

const NAV: { page: Page; label: string }[] = [
  { page: 'overview', label: 'Overview' },
  { page: 'gateways', label: 'Gateways' },
  { page: 'boards', label: 'Boards' },
  { page: 'agents', label: 'Agents' },
];

export function App() {
  const token = useStore((s) => s.token);
  const refresh = useStore((s) => s.refresh);
  useEffect(() => {
    if (token) void refresh();
  }, [token, refresh]);
  return token ? <Shell /> : <SignIn />;
}

function SignIn() {
  const signIn = useStore((s) => s.signIn);
  const error = useStore((s) => s.error);
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) void signIn(value);
  };
  return (
    <main className="signin">
      <h1>OpenClaw Mission Control</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <label htmlFor="token">Local token</label>
        <p className="hint">
          It is in the file <code>local-auth-token</code> in the data folder; <code>npm start</code> prints where.
        </p>
        <input id="token" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit">Sign in</button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function Shell() {
  const page = useStore((s) => s.page);
  const go = useStore((s) => s.go);
  const signOut = useStore((s) => s.signOut);
  const error = useStore((s) => s.error);
  const loading = useStore((s) => s.loading);
  return (
    <div className="shell">
      <nav aria-label="Main">
        <strong className="brand">Mission Control</strong>
        <ul>
          {NAV.map((item) => (
            <li key={item.page}>
              <button type="button" aria-current={page === item.page ? 'page' : undefined} onClick={() => go(item.page)}>
                {item.label}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="signout" onClick={signOut}>
          Sign out
        </button>
      </nav>
      <main aria-busy={loading}>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {page === 'overview' && <OverviewPage />}
        {page === 'gateways' && <GatewaysPage />}
        {page === 'boards' && <BoardsPage />}
        {page === 'agents' && <AgentsPage />}
      </main>
    </div>
  );
}
