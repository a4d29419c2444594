import type { ReactNode } from 'react';
import type { Problem } from '../model/problem';
import { Alert, useModalDialog } from './components';

/*
 * Pieces the multi-step flows share (template sync, rotate & re-sync, the guided troubleshooting):
 * a wide modal, a step indicator, a request's problem in plain words, a readable unified diff.
 */

/** A wide modal: focus goes in, Escape closes (unless `busy`), focus returns where it was. */
export function Modal({
  title,
  subtitle,
  children,
  footer,
  busy,
  onClose,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  footer: ReactNode;
  busy?: boolean;
  onClose: () => void;
}) {
  const { ref, titleId } = useModalDialog();
  return (
    <dialog
      ref={ref}
      className="dialog dialog-wide"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <header className="flow-head">
        <div>
          <h2 id={titleId}>{title}</h2>
          {subtitle && <p className="muted small">{subtitle}</p>}
        </div>
      </header>
      <div className="flow-body">{children}</div>
      <div className="dialog-actions flow-foot">{footer}</div>
    </dialog>
  );
}

/** Where a flow is: done steps ticked, the current one highlighted (and announced). */
export function Steps({ steps, current }: { steps: string[]; current: number }) {
  return (
    <ol className="steps" aria-label="Steps">
      {steps.map((s, i) => (
        <li
          key={s}
          className={i < current ? 'step-done' : i === current ? 'step-current' : ''}
          aria-current={i === current ? 'step' : undefined}
        >
          <span className="step-no" aria-hidden="true">
            {i < current ? '✓' : i + 1}
          </span>
          {s}
        </li>
      ))}
    </ol>
  );
}

export function ProblemAlert({ problem, action }: { problem: Problem; action?: ReactNode }) {
  return (
    <Alert tone="bad" title={problem.title}>
      <p>{problem.message}</p>
      {problem.next_step && <p className="next-step">What to do: {problem.next_step}</p>}
      {action}
    </Alert>
  );
}

/** A unified diff with its lines coloured: removed (what the gateway holds) and added (what a sync writes). */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = diff.replace(/\n$/, '').split('\n');
  return (
    <pre className="diff" aria-label={label} tabIndex={0}>
      {lines.map((line, i) => {
        const kind =
          line.startsWith('+++') || line.startsWith('---')
            ? 'head'
            : line.startsWith('@@')
              ? 'hunk'
              : line[0] === '+'
                ? 'add'
                : line[0] === '-'
                  ? 'del'
                  : 'ctx';
        return (
          <span key={i} className={`diff-${kind}`}>
            {line || ' '}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}

/** A determinate progress bar with its words ("2 of 5 agents"). */
export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <div className="progress-wrap">
      <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
        <div className="progress-bar" style={{ width: `${total > 0 ? pct : 8}%` }} />
      </div>
      <p className="progress-text" aria-live="polite">
        {label}
      </p>
    </div>
  );
}
