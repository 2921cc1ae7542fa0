import { type FormEvent, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { type FieldErrors, login } from '../api.ts';
import { Alert, MessageList } from '../components/Alert.tsx';
import { EmailField, PasswordField } from '../components/Field.tsx';
import { Card } from '../components/Layout.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { formLevelErrors, withoutField } from '../forms/fieldErrors.ts';
import { useCooldown, useFocusAfterRender } from '../hooks.ts';
import { readSessionToken, saveSessionToken } from '../session.ts';
import { readNavigationNotice } from './notice.ts';

export function Login() {
  const navigate = useNavigate();
  const location = useLocation();
  const arrival = readNavigationNotice(location.state);
  const [email, setEmail] = useState(arrival.email ?? '');
  const [password, setPassword] = useState('');
  const [loading, setLoading] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const { coolingDown, startCooldown } = useCooldown();
  const focusAfterRender = useFocusAfterRender();
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  if (readSessionToken() !== null) return <Navigate to="/account" replace />;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (loading) return;
    setLoading(true);
    setFailure(null);
    setErrors({});

    const result = await login(email.trim(), password);
    setLoading(false);
    if (result.ok) {
      saveSessionToken(result.data.token);
      navigate('/account', { replace: true });
      return;
    }
    setErrors(result.errors);
    setFailure(result.message);
    startCooldown(result.retryAfter);
    if (result.errors.email) focusAfterRender(emailRef);
    else if (result.errors.password) focusAfterRender(passwordRef);
    else focusAfterRender(alertRef);
  }

  const formErrors = formLevelErrors(errors, ['email', 'password']);
  const showNotice = arrival.notice && !failure;

  return (
    <Card title="Sign in">
      {showNotice && (
        <Alert tone="success">
          <p>{arrival.notice}</p>
        </Alert>
      )}
      {failure && (
        <Alert ref={alertRef} tone="error" title={failure}>
          <MessageList messages={formErrors.filter((message) => message !== failure)} />
        </Alert>
      )}
      <form className="form" onSubmit={handleSubmit} aria-busy={loading} noValidate>
        <EmailField
          ref={emailRef}
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            setErrors((current) => withoutField(current, 'email'));
          }}
          readOnly={loading}
          errors={errors.email}
        />
        <PasswordField
          ref={passwordRef}
          id="password"
          name="password"
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
            setErrors((current) => withoutField(current, 'password'));
          }}
          readOnly={loading}
          errors={errors.password}
          after={
            <p className="field-aside">
              <Link to="/forgot-password">Forgot password?</Link>
            </p>
          }
        />
        <SubmitButton loading={loading} loadingText="Signing in…" disabled={coolingDown}>
          Sign in
        </SubmitButton>
      </form>
      <p className="card-footer">
        New here? <Link to="/register">Create an account</Link>
      </p>
    </Card>
  );
}
