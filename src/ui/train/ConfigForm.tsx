/**
 * A form generated from a table of FieldSpecs (a PEFT method's `fields`, TRAINING_FIELDS, SELF_TRAIN_FIELDS):
 * each field with its label, its one-line help (read out with it), and the advanced ones folded away. No field
 * or method is known by name here.
 */
import { useId } from 'react';
import type { FieldSpec } from '../../peft/method';

interface Props {
  /** Dotted test-id prefix, e.g. 'train.field.lora'. */
  testId: string;
  fields: Readonly<Record<string, FieldSpec>>;
  values: Readonly<Record<string, unknown>>;
  onChange: (field: string, value: unknown) => void;
  disabled?: boolean;
}

/** The spec's label, else the name in words: "maxSteps" -> "Max steps". */
export function fieldLabel(name: string, spec: Pick<FieldSpec, 'label'>): string {
  if (spec.label) return spec.label;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function ConfigForm({ testId, fields, values, onChange, disabled }: Props) {
  const names = Object.keys(fields);
  const basic = names.filter((n) => !fields[n].advanced);
  const advanced = names.filter((n) => fields[n].advanced);
  const row = (name: string) => <Field key={name} name={name} spec={fields[name]} value={values[name]} testId={`${testId}.${name}`} onChange={(v) => onChange(name, v)} disabled={disabled} />;
  return (
    <div className="config-form" data-testid={testId}>
      <div className="config-form__grid">{basic.map(row)}</div>
      {advanced.length > 0 ? (
        <details className="config-form__advanced">
          <summary data-testid={`${testId}.advanced`}>Advanced settings ({advanced.length})</summary>
          <div className="config-form__grid">{advanced.map(row)}</div>
        </details>
      ) : null}
    </div>
  );
}

function Field({ name, spec, value, testId, onChange, disabled }: { name: string; spec: FieldSpec; value: unknown; testId: string; onChange: (v: unknown) => void; disabled?: boolean }) {
  const id = useId();
  const helpId = `${id}-help`;
  const help = <p id={helpId} className="muted small config-form__help">{spec.doc}</p>;
  switch (spec.kind) {
    case 'int':
    case 'number':
      return (
        <div className="config-form__field">
          <label htmlFor={id}>{fieldLabel(name, spec)}</label>
          <input
            id={id}
            type="number"
            data-testid={testId}
            aria-describedby={helpId}
            min={spec.min}
            max={spec.max}
            step={spec.kind === 'int' ? 1 : (spec.step ?? 'any')}
            value={Number.isFinite(value as number) ? String(value) : ''}
            disabled={disabled}
            onChange={(event) => {
              const next = event.target.valueAsNumber;
              if (Number.isFinite(next)) onChange(spec.kind === 'int' ? Math.round(next) : next);
            }}
          />
          {help}
        </div>
      );
    case 'boolean':
      return (
        <div className="config-form__field config-form__field--check">
          <label>
            <input type="checkbox" data-testid={testId} aria-describedby={helpId} checked={Boolean(value)} disabled={disabled} onChange={(event) => onChange(event.target.checked)} />{' '}
            {fieldLabel(name, spec)}
          </label>
          {help}
        </div>
      );
    case 'select':
      return (
        <div className="config-form__field">
          <label htmlFor={id}>{fieldLabel(name, spec)}</label>
          <select id={id} data-testid={testId} aria-describedby={helpId} value={String(value)} disabled={disabled} onChange={(event) => onChange(event.target.value)}>
            {spec.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          {help}
        </div>
      );
    case 'multiselect': {
      const chosen = Array.isArray(value) ? (value as string[]) : [];
      return (
        <fieldset className="config-form__field config-form__field--multi" aria-describedby={helpId} data-testid={testId}>
          <legend>{fieldLabel(name, spec)}</legend>
          <div className="row">
            {spec.options.map((o) => (
              <label key={o} className="config-form__option">
                <input
                  type="checkbox"
                  checked={chosen.includes(o)}
                  disabled={disabled || (chosen.includes(o) && chosen.length <= (spec.minItems ?? 0))}
                  onChange={(event) => onChange(event.target.checked ? spec.options.filter((x) => x === o || chosen.includes(x)) : chosen.filter((x) => x !== o))}
                />{' '}
                {o}
              </label>
            ))}
          </div>
          {help}
        </fieldset>
      );
    }
  }
}
