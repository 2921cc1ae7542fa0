import type { FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { login } from '../api.ts';
import { Alert, MessageList } from '../components/Alert.tsx';
import { EmailField, PasswordField } from '../components/Field.tsx';
import { Card } from '../components/Layout.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useFormFields } from '../forms/useFormFields.ts';
import { readSessionToken, saveSessionToken } from '../session.ts';
import { readNavigationNotice } from './notice.ts';

export function Login() {
  const navigate = useNavigate();
  const location = useLocation();
  const arrival = readNavigationNotice(location.state);
  const form = useFormFields({ email: arrival.email ?? '', password: '' });

  if (readSessionToken() !== null) return <Navigate to="/account" replace />;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    const result = await form.submit(event, () =>
      login(form.values.email.trim(), form.values.password),
    );
    if (result?.ok) {
      saveSessionToken(result.data.token);
      void navigate('/account', { replace: true });
    }
  }

  const { failure } = form;
  const showNotice = arrival.notice && !failure;

  return (
    <Card title="Sign in">
      {showNotice && (
        <Alert tone="success">
          <p>{arrival.notice}</p>
        </Alert>
      )}
      {failure && (
        <Alert ref={form.alertRef} tone="error" title={failure}>
          <MessageList messages={form.formErrors.filter((message) => message !== failure)} />
        </Alert>
      )}
      <form className="form" onSubmit={handleSubmit} aria-busy={form.submitting} noValidate>
        <EmailField {...form.field('email')} />
        <PasswordField
          id="password"
          name="password"
          label="Password"
          autoComplete="current-password"
          required
          {...form.field('password')}
          after={
            <p className="field-aside">
              <Link to="/forgot-password">Forgot password?</Link>
            </p>
          }
        />
        <SubmitButton {...form.submitButton} loadingText="Signing in…">
          Sign in
        </SubmitButton>
      </form>
      <p className="card-footer">
        New here? <Link to="/register">Create an account</Link>
      </p>
    </Card>
  );
}
