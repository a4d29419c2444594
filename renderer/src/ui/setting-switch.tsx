import type { ReactNode } from 'react';

/** One labelled on/off setting row (a checkbox with the switch role), as the Settings page lays them out. */
export function SettingSwitch(props: {
  id: string;
  label: string;
  hint: ReactNode;
  text: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="setting">
      <div className="setting-label">
        <span className="label" id={props.id}>
          {props.label}
        </span>
        <p className="hint">{props.hint}</p>
      </div>
      <div className="setting-control">
        <Switch text={props.text} checked={props.checked} disabled={props.disabled} labelledBy={props.id} onChange={props.onChange} />
      </div>
    </div>
  );
}

/** An on/off switch (a checkbox with the switch role) with its text; named by `label` or by the element `labelledBy`. */
export function Switch(props: {
  text: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
  label?: string;
  labelledBy?: string;
}) {
  return (
    <label className="check">
      <input
        type="checkbox"
        role="switch"
        checked={props.checked}
        disabled={props.disabled}
        aria-label={props.label}
        aria-labelledby={props.labelledBy}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <span>{props.text}</span>
    </label>
  );
}
