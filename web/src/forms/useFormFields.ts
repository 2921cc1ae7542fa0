import {
  type ChangeEvent,
  createRef,
  type FormEvent,
  type RefObject,
  useRef,
  useState,
} from 'react';
import type { ApiResult, FieldErrors } from '../api.ts';
import { useCooldown, useFocusAfterRender } from '../hooks.ts';
import { formLevelErrors, withoutField } from './fieldErrors.ts';

/** What one input needs from the form: spread it onto a TextField, EmailField or PasswordField. */
export interface FieldBinding {
  ref: RefObject<HTMLInputElement | null>;
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement>) => void;
  readOnly: boolean;
  errors: string[] | undefined;
}

export interface FormFields<Name extends string> {
  values: Record<Name, string>;
  field: (name: Name) => FieldBinding;
  /** Puts every value back to what the form started with, e.g. after a success. */
  resetValues: () => void;
  errors: FieldErrors;
  /** Messages for no input of this form: `non_field_errors`, `token`, unknown fields. */
  formErrors: string[];
  /** The message of the last failed submission, until the next one starts. */
  failure: string | null;
  submitting: boolean;
  /** For the SubmitButton: inactive while submitting and while a 429's Retry-After runs. */
  submitButton: { loading: boolean; disabled: boolean };
  /** Attach to the error alert: focus goes there when no input is in error. */
  alertRef: RefObject<HTMLDivElement | null>;
  /**
   * Runs one submission: ignores it while one is under way, clears the previous
   * failure and errors, and on failure keeps the API's errors and message, starts
   * the cooldown and focuses the first input in error (in the order of `initial`),
   * else the alert. Resolves to the result, or undefined when ignored; the page
   * handles success.
   */
  submit: <T>(
    event: FormEvent<HTMLFormElement>,
    request: () => Promise<ApiResult<T>>,
  ) => Promise<ApiResult<T> | undefined>;
}

/**
 * The wiring every form page shares: one value per input, the API's errors per
 * field (an input's errors go once the user edits it), read-only inputs while
 * the request runs, the cooldown after a 429 and where focus goes on failure.
 * `initial` names the inputs, by the API's field names, and is read once.
 */
export function useFormFields<Name extends string>(
  initial: Record<Name, string>,
): FormFields<Name> {
  const [start] = useState(initial);
  const names = Object.keys(start) as Name[];
  const [values, setValues] = useState(start);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const { coolingDown, startCooldown } = useCooldown();
  const focusAfterRender = useFocusAfterRender();
  const [inputRefs] = useState(
    () =>
      Object.fromEntries(names.map((name) => [name, createRef<HTMLInputElement>()])) as Record<
        Name,
        RefObject<HTMLInputElement | null>
      >,
  );
  const alertRef = useRef<HTMLDivElement>(null);

  function field(name: Name): FieldBinding {
    return {
      ref: inputRefs[name],
      value: values[name],
      onChange: (event) => {
        const { value } = event.target;
        setValues((current) => ({ ...current, [name]: value }));
        setErrors((current) => withoutField(current, name));
      },
      readOnly: submitting,
      errors: errors[name],
    };
  }

  async function submit<T>(
    event: FormEvent<HTMLFormElement>,
    request: () => Promise<ApiResult<T>>,
  ): Promise<ApiResult<T> | undefined> {
    event.preventDefault();
    if (submitting) return undefined;
    setSubmitting(true);
    setFailure(null);
    setErrors({});

    const result = await request();
    setSubmitting(false);
    if (!result.ok) {
      setErrors(result.errors);
      setFailure(result.message);
      startCooldown(result.retryAfter);
      const firstInvalid = names.find((name) => result.errors[name]);
      focusAfterRender(firstInvalid === undefined ? alertRef : inputRefs[firstInvalid]);
    }
    return result;
  }

  return {
    values,
    field,
    resetValues: () => setValues(start),
    errors,
    formErrors: formLevelErrors(errors, names),
    failure,
    submitting,
    submitButton: { loading: submitting, disabled: coolingDown },
    alertRef,
    submit,
  };
}
