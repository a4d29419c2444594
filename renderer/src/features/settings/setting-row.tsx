import { useState, type ReactNode } from 'react';
import { ApiError } from '../../model/api/client';
import { useApp, useStores } from '../../ui/context';
import { Icon } from '../../ui/icons';

/** `{body.port: "…"}` from a 422's `[{loc, msg}]`, so each message lands under its own field. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !Array.isArray(err.detail)) return {};
  const out: Record<string, string> = {};
  for (const d of err.detail as { loc?: unknown[]; msg?: string }[]) {
    const field = String(d.loc?.[1] ?? '');
    out[field] = out[field] ? `${out[field]}; ${d.msg}` : (d.msg ?? 'invalid');
  }
  return out;
}

/** "Set by --port at start": the flag or variable wins, the control is read-only. */
function SetBy({ by, id }: { by: string; id: string }) {
  return (
    <p id={id} className="hint setting-lock">
      <Icon name="lock" size={14} /> Set by <code>{by}</code> when Mission Control started — change or remove it there.
    </p>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-sm"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          },
          () => undefined,
        )
      }
    >
      <Icon name={copied ? 'check' : 'copy'} size={14} /> {copied ? 'Copied' : 'Copy path'}
    </button>
  );
}

export function FolderRow({ path, which }: { path: string; which: 'data' | 'logs' }) {
  const { bridge } = useStores();
  const notify = useApp((s) => s.notify);
  return (
    <span className="setting-value">
      <code className="path">{path}</code>
      {bridge?.revealFolder ? (
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => void bridge.revealFolder?.(which).catch((err: unknown) => notify('bad', (err as Error).message))}
        >
          <Icon name="folder" size={14} /> Show in folder
        </button>
      ) : (
        <CopyButton text={path} label={`Copy the ${which === 'data' ? 'data folder' : 'logs folder'} path`} />
      )}
    </span>
  );
}

/** One editable setting: label and what it is on the left; the control, then its error, lock or note. */
export function SettingRow({
  id,
  label,
  about,
  error,
  setBy,
  note,
  children,
}: {
  id: string;
  label: string;
  about: ReactNode;
  error?: string | undefined;
  setBy: string | null;
  note: ReactNode;
  children: ReactNode;
}) {
  const hintId = `${id}-hint`;
  return (
    <div className={`setting ${error ? 'has-error' : ''}`}>
      <div className="setting-label">
        <label htmlFor={id}>{label}</label>
        <p className="hint">{about}</p>
      </div>
      <div className="setting-control">
        <div className="setting-inline">{children}</div>
        {error ? (
          <p id={hintId} className="field-error">
            {error}
          </p>
        ) : setBy ? (
          <SetBy by={setBy} id={hintId} />
        ) : (
          <p id={hintId} className="hint">
            {note}
          </p>
        )}
      </div>
    </div>
  );
}

/** A SettingRow's number box (`id` is the row's, so its label and hint describe it); read-only while a flag or variable sets it. */
export function NumberBox({
  id,
  value,
  onChange,
  locked,
  invalid,
}: {
  id: string;
  value: string;
  onChange: (text: string) => void;
  locked: boolean;
  invalid: boolean;
}) {
  return (
    <input
      id={id}
      className="input-port mono"
      inputMode="numeric"
      value={value}
      disabled={locked}
      onChange={(e) => onChange(e.target.value)}
      aria-describedby={`${id}-hint`}
      aria-invalid={invalid}
    />
  );
}
