import { Button, Heading, Link, Section, Text } from '@react-email/components';
import { MailLayout, styles } from './layout.tsx';

export interface PasswordResetEmailProps {
  appName: string;
  /** The first name, else the local part of the address. */
  name: string;
  resetUrl: string;
  /** The token's lifetime in words: "1 hour". */
  expiresIn: string;
}

export function passwordResetSubject(appName: string): string {
  return `Password Reset Request - ${appName}`;
}

/**
 * The reset link twice: as a button, and as text to copy when the button does not work
 * (the button is left out of the plain-text part so the link appears there once).
 */
export function PasswordResetEmail(props: PasswordResetEmailProps) {
  return (
    <MailLayout appName={props.appName} preview={`Reset your ${props.appName} password`}>
      <Heading as="h1" style={styles.heading}>
        Reset your password
      </Heading>
      <Text style={styles.text}>Hi {props.name},</Text>
      <Text style={styles.text}>
        We received a request to reset the password of your {props.appName} account. Use the button
        or the link below to choose a new one.
      </Text>
      <Section data-skip-in-text="true" style={{ margin: '24px 0' }}>
        <Button href={props.resetUrl} style={styles.button}>
          Reset password
        </Button>
      </Section>
      <Text style={styles.text}>Or copy and paste this link into your browser:</Text>
      <Text style={styles.text}>
        <Link href={props.resetUrl} style={styles.link}>
          {props.resetUrl}
        </Link>
      </Text>
      <Text style={styles.text}>This link expires in {props.expiresIn} and can be used once.</Text>
      <Text style={styles.notice}>
        If you did not ask to reset your password, you can ignore this email: your password stays
        the same, and nobody can change it without this link.
      </Text>
    </MailLayout>
  );
}

export const previewProps: PasswordResetEmailProps = {
  appName: 'BikeShop',
  name: 'Ada',
  resetUrl:
    'http://localhost:3000/reset-password?token=KZJxvZ8h9QzE9RqN0LHm8FYwGN-7Tqk9xN8yLQp-F3M',
  expiresIn: '1 hour',
};

PasswordResetEmail.PreviewProps = previewProps;

export default PasswordResetEmail;
