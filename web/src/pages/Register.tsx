import { type FormEvent, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { type FieldErrors, register } from '../api.ts';
import { Alert, MessageList } from '../components/Alert.tsx';
import { EmailField, PasswordField, TextField } from '../components/Field.tsx';
import { Card } from '../components/Layout.tsx';
import { personalWords, StrengthMeter } from '../components/StrengthMeter.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { formLevelErrors, withoutField } from '../forms/fieldErrors.ts';
import { useCooldown, useFocusAfterRender } from '../hooks.ts';
import { preloadStrengthEstimator } from '../strength.ts';

const FIELDS = ['first_name', 'last_name', 'email', 'password'] as const;

export function Register() {
  const navigate = useNavigate();
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [loading, setLoading] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const { coolingDown, startCooldown } = useCooldown();
  const focusAfterRender = useFocusAfterRender();
  const alertRef = useRef<HTMLDivElement>(null);
  const refs = {
    first_name: useRef<HTMLInputElement>(null),
    last_name: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (loading) return;
    setLoading(true);
    setFailure(null);
    setErrors({});

    const result = await register({
      email: email.trim(),
      password,
      first_name: firstName.trim(),
      last_name: lastName.trim(),
    });
    setLoading(false);
    if (result.ok) {
      const notice = result.message || 'Your account has been created. Sign in to continue.';
      navigate('/login', { state: { notice, email: result.data.user?.email ?? email.trim() } });
      return;
    }
    setErrors(result.errors);
    setFailure(result.message);
    startCooldown(result.retryAfter);
    const firstInvalid = FIELDS.find((field) => result.errors[field]);
    if (firstInvalid) focusAfterRender(refs[firstInvalid]);
    else focusAfterRender(alertRef);
  }

  const formErrors = formLevelErrors(errors, [...FIELDS]);

  return (
    <Card title="Create an account">
      {failure && (
        <Alert ref={alertRef} tone="error" title={failure}>
          <MessageList messages={formErrors.filter((message) => message !== failure)} />
        </Alert>
      )}
      <form className="form" onSubmit={handleSubmit} aria-busy={loading} noValidate>
        <div className="field-row">
          <TextField
            ref={refs.first_name}
            id="first-name"
            name="first_name"
            label="First name"
            optional
            autoComplete="given-name"
            value={firstName}
            onChange={(event) => {
              setFirstName(event.target.value);
              setErrors((current) => withoutField(current, 'first_name'));
            }}
            readOnly={loading}
            errors={errors.first_name}
          />
          <TextField
            ref={refs.last_name}
            id="last-name"
            name="last_name"
            label="Last name"
            optional
            autoComplete="family-name"
            value={lastName}
            onChange={(event) => {
              setLastName(event.target.value);
              setErrors((current) => withoutField(current, 'last_name'));
            }}
            readOnly={loading}
            errors={errors.last_name}
          />
        </div>
        <EmailField
          ref={refs.email}
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            setErrors((current) => withoutField(current, 'email'));
          }}
          readOnly={loading}
          errors={errors.email}
        />
        <PasswordField
          ref={refs.password}
          id="password"
          name="password"
          label="Password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
            setErrors((current) => withoutField(current, 'password'));
          }}
          onFocus={preloadStrengthEstimator}
          readOnly={loading}
          errors={errors.password}
          afterId="password-strength"
          after={
            <StrengthMeter
              id="password-strength"
              password={password}
              userInputs={personalWords(email, firstName, lastName)}
            />
          }
        />
        <SubmitButton loading={loading} loadingText="Creating account…" disabled={coolingDown}>
          Create account
        </SubmitButton>
      </form>
      <p className="card-footer">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </Card>
  );
}
