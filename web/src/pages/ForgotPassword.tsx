import { type FormEvent, useRef, useState } from 'react';
import { Link } from 'react-router';
import { type FieldErrors, requestPasswordReset } from '../api.ts';
import { Alert } from '../components/Alert.tsx';
import { EmailField } from '../components/Field.tsx';
import { Card } from '../components/Layout.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { withoutField } from '../forms/fieldErrors.ts';
import { useCooldown, useFocusAfterRender } from '../hooks.ts';

type Notice = { tone: 'success' | 'error'; message: string };

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [loading, setLoading] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const { coolingDown, startCooldown } = useCooldown();
  const focusAfterRender = useFocusAfterRender();
  const emailRef = useRef<HTMLInputElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (loading) return;
    setLoading(true);
    setNotice(null);
    setErrors({});

    const result = await requestPasswordReset(email.trim());
    setLoading(false);
    if (result.ok) {
      setNotice({ tone: 'success', message: result.message });
      setEmail('');
      return;
    }
    setNotice({ tone: 'error', message: result.message });
    setErrors(result.errors);
    startCooldown(result.retryAfter);
    focusAfterRender(result.errors.email ? emailRef : alertRef);
  }

  return (
    <Card
      title="Forgot password"
      intro={
        <p>
          Enter the email address of your account and we'll send you a link to reset your password.
        </p>
      }
    >
      {notice && (
        <Alert
          tone={notice.tone}
          title={notice.tone === 'success' ? 'Check your email' : undefined}
        >
          <p>{notice.message}</p>
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
        <SubmitButton loading={loading} loadingText="Sending…" disabled={coolingDown}>
          Send Reset Link
        </SubmitButton>
      </form>
      <p className="card-footer">
        Remembered it? <Link to="/login">Back to sign in</Link>
      </p>
    </Card>
  );
}
