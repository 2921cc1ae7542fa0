import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { requestPasswordReset } from '../api.ts';
import { Alert } from '../components/Alert.tsx';
import { EmailField } from '../components/Field.tsx';
import { Card } from '../components/Layout.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useFormFields } from '../forms/useFormFields.ts';

export function ForgotPassword() {
  const form = useFormFields({ email: '' });
  const [sent, setSent] = useState<string | null>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    const result = await form.submit(event, () => {
      setSent(null);
      return requestPasswordReset(form.values.email.trim());
    });
    if (result?.ok) {
      setSent(result.message);
      form.resetValues();
    }
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
      {sent !== null && (
        <Alert tone="success" title="Check your email">
          <p>{sent}</p>
        </Alert>
      )}
      {form.failure !== null && (
        <Alert ref={form.alertRef} tone="error">
          <p>{form.failure}</p>
        </Alert>
      )}
      <form className="form" onSubmit={handleSubmit} aria-busy={form.submitting} noValidate>
        <EmailField {...form.field('email')} />
        <SubmitButton {...form.submitButton} loadingText="Sending…">
          Send Reset Link
        </SubmitButton>
      </form>
      <p className="card-footer">
        Remembered it? <Link to="/login">Back to sign in</Link>
      </p>
    </Card>
  );
}
