import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { resetPassword, verifyResetToken } from '../api.ts';
import { Alert, MessageList } from '../components/Alert.tsx';
import { PasswordField } from '../components/Field.tsx';
import { Card } from '../components/Layout.tsx';
import { Spinner } from '../components/Spinner.tsx';
import { personalWords, StrengthMeter } from '../components/StrengthMeter.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useFormFields } from '../forms/useFormFields.ts';
import { useFocusAfterRender } from '../hooks.ts';
import { preloadStrengthEstimator } from '../strength.ts';

const REDIRECT_DELAY_MS = 3000;

type Verification =
  | { state: 'checking' }
  | { state: 'valid'; email: string }
  | { state: 'invalid'; message: string }
  | { state: 'unreachable'; message: string };

/**
 * Opening the page verifies the token (which does not use it up); the form is
 * shown only for a valid link. The token stays in the URL so that a reload
 * works; the page is served with Referrer-Policy: no-referrer and loads nothing
 * from another origin, so the URL does not leak.
 */
export function ResetPassword() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token')?.trim() ?? '';
  const [attempt, setAttempt] = useState(0);
  // A new key mounts a fresh check: for another token, or when the user tries again.
  return (
    <LinkCheck key={`${attempt}:${token}`} token={token} onRetry={() => setAttempt((n) => n + 1)} />
  );
}

function LinkCheck({ token, onRetry }: { token: string; onRetry: () => void }) {
  const [verification, setVerification] = useState<Verification>(
    token === ''
      ? {
          state: 'invalid',
          message: 'This link has no reset token. Open the full link from the email.',
        }
      : { state: 'checking' },
  );

  useEffect(() => {
    if (token === '') return;
    const controller = new AbortController();
    // callApi answers every failure with a result; it never rejects.
    void verifyResetToken(token, controller.signal).then((result) => {
      if (controller.signal.aborted) return;
      if (result.ok && result.data.valid) {
        setVerification({ state: 'valid', email: result.data.email });
      } else if (result.ok || result.status === 400) {
        const errors = result.ok ? {} : result.errors;
        setVerification({
          state: 'invalid',
          message: errors.token?.[0] ?? errors.non_field_errors?.[0] ?? 'Invalid reset link',
        });
      } else {
        setVerification({ state: 'unreachable', message: result.message });
      }
    });
    return () => controller.abort();
  }, [token]);

  switch (verification.state) {
    case 'checking':
      return (
        <Card title="Reset password">
          <p className="checking" role="status">
            <Spinner />
            Verifying reset link…
          </p>
        </Card>
      );
    case 'invalid':
      return <InvalidLink message={verification.message} />;
    case 'unreachable':
      return (
        <Card title="Could not check your link" tone="error">
          <Alert tone="error">
            <p>{verification.message}</p>
          </Alert>
          <div className="actions">
            <button type="button" className="button button-primary" onClick={onRetry}>
              Try again
            </button>
            <Link className="button button-secondary" to="/forgot-password">
              Request a new link
            </Link>
          </div>
        </Card>
      );
    case 'valid':
      return <ResetForm token={token} email={verification.email} />;
  }
}

function InvalidLink({ message }: { message: string }) {
  return (
    <Card title="Invalid Reset Link" tone="error">
      <Alert tone="error">
        <p>{message}</p>
      </Alert>
      <p>Reset links work once and expire after a while. You can ask for a new one.</p>
      <div className="actions">
        <Link className="button button-primary" to="/forgot-password">
          Request a new link
        </Link>
        <Link className="button button-secondary" to="/login">
          Back to sign in
        </Link>
      </div>
    </Card>
  );
}

function ResetForm({ token, email }: { token: string; email: string }) {
  const navigate = useNavigate();
  const form = useFormFields({ new_password: '', confirm_password: '' });
  const [success, setSuccess] = useState<string | null>(null);
  const focusAfterRender = useFocusAfterRender();
  const successRef = useRef<HTMLDivElement>(null);

  useEffect(preloadStrengthEstimator, []);

  useEffect(() => {
    if (success === null) return;
    const timer = window.setTimeout(
      () => navigate('/login', { replace: true, state: { notice: success, email } }),
      REDIRECT_DELAY_MS,
    );
    return () => window.clearTimeout(timer);
  }, [success, email, navigate]);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    const { new_password, confirm_password } = form.values;
    const result = await form.submit(event, () =>
      resetPassword(token, new_password, confirm_password),
    );
    if (result?.ok) {
      form.resetValues();
      setSuccess(result.message);
      focusAfterRender(successRef);
    }
  }

  if (success !== null) {
    return (
      <Card title="Password changed">
        <Alert ref={successRef} tone="success">
          <p>{success}</p>
        </Alert>
        <p className="muted">Taking you to the sign-in page…</p>
        <div className="actions">
          <Link
            className="button button-primary"
            to="/login"
            replace
            state={{ notice: success, email }}
          >
            Sign in now
          </Link>
        </div>
      </Card>
    );
  }

  // Errors that belong to no field on this form: the token, non_field_errors, anything else.
  const { errors, failure } = form;
  const tokenProblem = errors.token !== undefined;

  return (
    <Card
      title="Reset password"
      intro={
        <p>
          Resetting password for: <strong className="account-email">{email}</strong>
        </p>
      }
    >
      {failure && (
        <Alert ref={form.alertRef} tone="error" title={failure}>
          <MessageList messages={form.formErrors.filter((message) => message !== failure)} />
          {tokenProblem && (
            <p>
              <Link to="/forgot-password">Request a new reset link</Link>
            </p>
          )}
        </Alert>
      )}
      <form className="form" onSubmit={handleSubmit} aria-busy={form.submitting} noValidate>
        {/* Lets password managers file the new password under the right account. */}
        <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
        <PasswordField
          id="new-password"
          name="new_password"
          label="New password"
          autoComplete="new-password"
          required
          {...form.field('new_password')}
          afterId="new-password-strength"
          after={
            <StrengthMeter
              id="new-password-strength"
              password={form.values.new_password}
              userInputs={personalWords(email)}
            />
          }
        />
        <PasswordField
          id="confirm-password"
          name="confirm_password"
          label="Confirm new password"
          autoComplete="new-password"
          required
          {...form.field('confirm_password')}
        />
        <SubmitButton {...form.submitButton} loadingText="Resetting…">
          Reset Password
        </SubmitButton>
      </form>
      <p className="card-footer">
        <Link to="/login">Back to sign in</Link>
      </p>
    </Card>
  );
}
