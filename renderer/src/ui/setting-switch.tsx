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
        <label className="check">
          <input
            type="checkbox"
            role="switch"
            checked={props.checked}
            disabled={props.disabled}
            aria-labelledby={props.id}
            onChange={(e) => props.onChange(e.target.checked)}
          />
          <span>{props.text}</span>
        </label>
      </div>
    </div>
  );
}
