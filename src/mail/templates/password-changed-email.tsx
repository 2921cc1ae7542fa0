import { Button, Heading, Link, Section, Text } from '@react-email/components';
import { MailLayout, styles } from './layout.tsx';

export interface PasswordChangedEmailProps {
  appName: string;
  name: string;
  /** When the password was changed, already in words ("Tue, 24 Nov 2026 12:00:00 GMT"). */
  changedAt: string;
  /** Where to ask for a new reset link: `${FRONTEND_URL}/forgot-password`. */
  forgotPasswordUrl: string;
  /** A one-click "This wasn't me" link, when the caller has one to offer. */
  notMeUrl?: string;
}

export function passwordChangedSubject(appName: string): string {
  return `Your password was changed - ${appName}`;
}

export function PasswordChangedEmail(props: PasswordChangedEmailProps) {
  return (
    <MailLayout appName={props.appName} preview={`Your ${props.appName} password was changed`}>
      <Heading as="h1" style={styles.heading}>
        Your password was changed
      </Heading>
      <Text style={styles.text}>Hi {props.name},</Text>
      <Text style={styles.text}>
        The password of your {props.appName} account was changed on {props.changedAt}.
      </Text>
      <Text style={styles.text}>
        Every session was signed out: sign in again with the new password on each of your devices.
      </Text>
      <Text style={styles.notice}>
        If this was not you, someone else may have access to your email. Secure your email account,
        then reset your password right away:{' '}
        <Link href={props.forgotPasswordUrl} style={styles.link}>
          {props.forgotPasswordUrl}
        </Link>
      </Text>
      {props.notMeUrl ? (
        <Section style={{ margin: '24px 0' }}>
          <Button href={props.notMeUrl} style={styles.button}>
            This wasn't me
          </Button>
        </Section>
      ) : null}
    </MailLayout>
  );
}

export const previewProps: PasswordChangedEmailProps = {
  appName: 'BikeShop',
  name: 'Ada',
  changedAt: 'Tue, 24 Nov 2026 12:00:00 GMT',
  forgotPasswordUrl: 'http://localhost:3000/forgot-password',
};

PasswordChangedEmail.PreviewProps = previewProps;

export default PasswordChangedEmail;
