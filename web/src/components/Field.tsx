import { type InputHTMLAttributes, type ReactNode, type Ref, useState } from 'react';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'>;

interface FieldProps extends InputProps {
  id: string;
  label: string;
  /** Marks the label "(optional)"; fields are required otherwise. */
  optional?: boolean;
  type?: 'email' | 'text';
  /** Every message the API gave for this field, all shown. */
  errors?: string[];
  /** Shown under the errors, e.g. the strength meter; give `afterId` to describe the input by it. */
  after?: ReactNode;
  afterId?: string;
  ref?: Ref<HTMLInputElement>;
}

/**
 * A labelled input whose errors sit right under it, are tied to it with
 * aria-describedby, and mark it aria-invalid.
 */
export function TextField({ type = 'text', ...props }: FieldProps) {
  return <FieldFrame {...props} inputType={type} />;
}

/**
 * The address field every form shares: type, autocomplete and keyboard hints for an
 * email, no autocorrect or capitalisation.
 */
export function EmailField(props: Omit<FieldProps, 'id' | 'name' | 'label' | 'type'>) {
  return (
    <TextField
      id="email"
      name="email"
      type="email"
      label="Email address"
      autoComplete="email"
      inputMode="email"
      spellCheck={false}
      autoCapitalize="none"
      required
      {...props}
    />
  );
}

/** Like TextField, with a Show/Hide button that switches the input's type. */
export function PasswordField(props: FieldProps) {
  const [visible, setVisible] = useState(false);
  return (
    <FieldFrame
      {...props}
      inputType={visible ? 'text' : 'password'}
      toggle={
        <button
          type="button"
          className="password-toggle"
          aria-controls={props.id}
          onClick={() => setVisible((shown) => !shown)}
        >
          {visible ? 'Hide' : 'Show'}
          <span className="visually-hidden"> password</span>
        </button>
      }
    />
  );
}

interface FrameProps extends Omit<FieldProps, 'type'> {
  inputType: string;
  toggle?: ReactNode;
}

function FieldFrame({
  id,
  label,
  optional,
  errors = [],
  after,
  afterId,
  inputType,
  toggle,
  ref,
  ...input
}: FrameProps) {
  const errorsId = `${id}-errors`;
  const invalid = errors.length > 0;
  const describedBy = [invalid ? errorsId : undefined, afterId].filter(Boolean).join(' ');

  return (
    <div className={invalid ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="optional"> (optional)</span>}
      </label>
      <div className={toggle ? 'input-wrap has-toggle' : 'input-wrap'}>
        <input
          {...input}
          ref={ref}
          id={id}
          type={inputType}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy || undefined}
        />
        {toggle}
      </div>
      {invalid && (
        <ul className="field-errors" id={errorsId}>
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      {after}
    </div>
  );
}
