import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { register } from '../api.ts';
import { Alert, MessageList } from '../components/Alert.tsx';
import { EmailField, PasswordField, TextField } from '../components/Field.tsx';
import { Card } from '../components/Layout.tsx';
import { personalWords, StrengthMeter } from '../components/StrengthMeter.tsx';
import { SubmitButton } from '../components/SubmitButton.tsx';
import { useFormFields } from '../forms/useFormFields.ts';
import { preloadStrengthEstimator } from '../strength.ts';

export function Register() {
  const navigate = useNavigate();
  const form = useFormFields({ first_name: '', last_name: '', email: '', password: '' });
  const { email, password, first_name: firstName, last_name: lastName } = form.values;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    const result = await form.submit(event, () =>
      register({
        email: email.trim(),
        password,
        first_name: firstName.trim(),
        last_name: lastName.trim(),
      }),
    );
    if (result?.ok) {
      const notice = result.message || 'Your account has been created. Sign in to continue.';
      void navigate('/login', {
        state: { notice, email: result.data.user?.email ?? email.trim() },
      });
    }
  }

  return (
    <Card title="Create an account">
      {form.failure && (
        <Alert ref={form.alertRef} tone="error" title={form.failure}>
          <MessageList messages={form.formErrors.filter((message) => message !== form.failure)} />
        </Alert>
      )}
      <form className="form" onSubmit={handleSubmit} aria-busy={form.submitting} noValidate>
        <div className="field-row">
          <TextField
            id="first-name"
            name="first_name"
            label="First name"
            optional
            autoComplete="given-name"
            {...form.field('first_name')}
          />
          <TextField
            id="last-name"
            name="last_name"
            label="Last name"
            optional
            autoComplete="family-name"
            {...form.field('last_name')}
          />
        </div>
        <EmailField {...form.field('email')} />
        <PasswordField
          id="password"
          name="password"
          label="Password"
          autoComplete="new-password"
          required
          {...form.field('password')}
          onFocus={preloadStrengthEstimator}
          afterId="password-strength"
          after={
            <StrengthMeter
              id="password-strength"
              password={password}
              userInputs={personalWords(email, firstName, lastName)}
            />
          }
        />
        <SubmitButton {...form.submitButton} loadingText="Creating account…">
          Create account
        </SubmitButton>
      </form>
      <p className="card-footer">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </Card>
  );
}
