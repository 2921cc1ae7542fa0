import { type FormEvent, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { notMe } from '../api.ts';
import { Alert } from '../components/Alert.tsx';
import { Card } from '../components/Layout.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useCooldown, useFocusAfterRender } from '../hooks.ts';

type Outcome =
  | { state: 'ready' }
  | { state: 'locked'; message: string }
  | { state: 'invalid'; message: string };

/**
 * "This wasn't me", from the password-changed mail. Mail scanners open links, so
 * opening the page does nothing: only the button uses the token, once.
 */
export function NotMe() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get('token')?.trim() ?? '';
  // A new key starts over for another token.
  return <KillSwitch key={token} token={token} />;
}

function KillSwitch({ token }: { token: string }) {
  const [outcome, setOutcome] = useState<Outcome>(
    token === ''
      ? { state: 'invalid', message: 'This link has no token. Open the full link from the email.' }
      : { state: 'ready' },
  );
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const { coolingDown, startCooldown } = useCooldown();
  const focusAfterRender = useFocusAfterRender();
  const alertRef = useRef<HTMLDivElement>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (loading) return;
    setLoading(true);
    setFailure(null);

    const result = await notMe(token);
    setLoading(false);
    if (result.ok) {
      setOutcome({ state: 'locked', message: result.message });
    } else if (result.status === 400) {
      const errors = result.errors;
      setOutcome({
        state: 'invalid',
        message: errors.token?.[0] ?? errors.non_field_errors?.[0] ?? result.message,
      });
    } else {
      // 429, a network failure or a server error: the link may still work, so keep the button.
      setFailure(result.message);
      startCooldown(result.retryAfter);
    }
    focusAfterRender(alertRef);
  }

  switch (outcome.state) {
    case 'locked':
      return (
        <Card title="Account locked">
          <Alert ref={alertRef} tone="success">
            <p>{outcome.message}</p>
          </Alert>
          <p className="muted">
            Choose a new password from that email to unlock your account. The email may take a
            minute to arrive.
          </p>
          <div className="actions">
            <Link className="button button-secondary" to="/forgot-password">
              Send another reset link
            </Link>
          </div>
        </Card>
      );
    case 'invalid':
      return (
        <Card title="Invalid Link" tone="error">
          <Alert ref={alertRef} tone="error">
            <p>{outcome.message}</p>
          </Alert>
          <p>
            This link works once and expires after a while. If you still do not recognise the
            password change, ask for a reset link and choose a new password.
          </p>
          <div className="actions">
            <Link className="button button-primary" to="/forgot-password">
              Request a new reset link
            </Link>
            <Link className="button button-secondary" to="/login">
              Back to sign in
            </Link>
          </div>
        </Card>
      );
    case 'ready':
      return (
        <Card title="Was this you?" documentTitle="Lock my account">
          {failure && <Alert ref={alertRef} tone="error" title={failure} />}
          <p>
            If you did not change your password, we will sign everyone out, lock the account and
            send you a link to choose a new password.
          </p>
          <form className="form" onSubmit={handleSubmit} aria-busy={loading} noValidate>
            <SubmitButton
              loading={loading}
              loadingText="Locking your account…"
              disabled={coolingDown}
            >
              This wasn't me — lock my account
            </SubmitButton>
          </form>
          <p className="card-footer">
            Changed it yourself? Nothing to do. <Link to="/login">Sign in</Link>
          </p>
        </Card>
      );
  }
}
