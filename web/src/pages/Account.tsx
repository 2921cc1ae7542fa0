import { useEffect, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { fetchCurrentUser, logout, type User } from '../api.ts';
import { Alert } from '../components/Alert.tsx';
import { Card } from '../components/Layout.tsx';
import { Spinner } from '../components/Spinner.tsx';
import { clearSessionToken, readSessionToken } from '../session.ts';

type Load =
  | { state: 'loading' }
  | { state: 'ready'; user: User }
  | { state: 'failed'; message: string };

export function Account() {
  const token = readSessionToken();
  if (token === null) return <Navigate to="/login" replace />;
  return <AccountDetails token={token} />;
}

function AccountDetails({ token }: { token: string }) {
  const navigate = useNavigate();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    // callApi answers every failure with a result; it never rejects.
    void fetchCurrentUser(token, controller.signal).then((result) => {
      if (controller.signal.aborted) return;
      if (result.ok) {
        setLoad({ state: 'ready', user: result.data.user });
      } else if (result.status === 401) {
        // The session ended: signed out elsewhere, expired, or revoked by a password reset.
        clearSessionToken();
        void navigate('/login', {
          replace: true,
          state: { notice: 'Your session has ended. Please sign in again.' },
        });
      } else {
        setLoad({ state: 'failed', message: result.message });
      }
    });
    return () => controller.abort();
  }, [token, navigate]);

  async function handleSignOut() {
    setSigningOut(true);
    // Forget the token whatever the API says: the user asked to be signed out here.
    await logout(token);
    clearSessionToken();
    void navigate('/login', { replace: true, state: { notice: 'You have been signed out.' } });
  }

  const signOut = (
    <button
      type="button"
      className="button button-secondary"
      onClick={handleSignOut}
      disabled={signingOut}
    >
      {signingOut ? (
        <>
          <Spinner />
          Signing out…
        </>
      ) : (
        'Sign out'
      )}
    </button>
  );

  if (load.state === 'loading') {
    return (
      <Card title="Your account">
        <p className="checking" role="status">
          <Spinner />
          Loading your account…
        </p>
      </Card>
    );
  }

  if (load.state === 'failed') {
    return (
      <Card title="Your account">
        <Alert tone="error">
          <p>{load.message}</p>
        </Alert>
        <div className="actions">{signOut}</div>
      </Card>
    );
  }

  const { user } = load;
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return (
    <Card
      title={name ? `Hello, ${user.first_name || name}` : 'Your account'}
      documentTitle="Your account"
    >
      <p className="muted">You are signed in.</p>
      <dl className="details">
        {name && (
          <div>
            <dt>Name</dt>
            <dd>{name}</dd>
          </div>
        )}
        <div>
          <dt>Email</dt>
          <dd className="account-email">{user.email}</dd>
        </div>
      </dl>
      <div className="actions">{signOut}</div>
    </Card>
  );
}
