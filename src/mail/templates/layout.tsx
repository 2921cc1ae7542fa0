import { Body, Container, Head, Hr, Html, Section, Text } from '@react-email/components';
import type { ReactNode } from 'react';
import { MailPreview } from './preview.tsx';

/** The frame every Rekey mail shares: the app's name on top, a quiet footer below. */
export function MailLayout(props: { appName: string; preview: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <MailPreview text={props.preview} />
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Section>
            <Text style={styles.brand}>{props.appName}</Text>
          </Section>
          {props.children}
          <Hr style={styles.rule} />
          <Text style={styles.footer}>
            This email was sent by {props.appName}. Replies to this address are not read.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

export const styles = {
  body: {
    backgroundColor: '#f4f5f7',
    fontFamily: '-apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
    margin: 0,
    padding: '24px 0',
  },
  container: {
    backgroundColor: '#ffffff',
    borderRadius: '8px',
    margin: '0 auto',
    maxWidth: '560px',
    padding: '32px',
  },
  brand: { color: '#1f2937', fontSize: '20px', fontWeight: 700, margin: '0 0 16px' },
  heading: { color: '#111827', fontSize: '22px', margin: '0 0 16px' },
  text: { color: '#374151', fontSize: '15px', lineHeight: '24px' },
  button: {
    backgroundColor: '#2563eb',
    borderRadius: '6px',
    color: '#ffffff',
    display: 'inline-block',
    fontSize: '15px',
    fontWeight: 600,
    padding: '12px 20px',
    textDecoration: 'none',
  },
  link: { color: '#2563eb', wordBreak: 'break-all' as const },
  notice: { color: '#6b7280', fontSize: '13px', lineHeight: '20px' },
  rule: { borderColor: '#e5e7eb', margin: '24px 0' },
  footer: { color: '#9ca3af', fontSize: '12px' },
};
