import { render, toPlainText } from '@react-email/render';
import fc from 'fast-check';
import { createElement, type ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../src/config.ts';
import {
  composeMail,
  describeDuration,
  notMeLink,
  oneLine,
  resetLink,
} from '../src/mail/compose.ts';
import { SLOT_NAMES, slotMarker } from '../src/mail/slots.ts';
import {
  PasswordChangedEmail,
  passwordChangedSubject,
} from '../src/mail/templates/password-changed-email.tsx';
import {
  PasswordResetEmail,
  passwordResetSubject,
} from '../src/mail/templates/password-reset-email.tsx';
import { outboxRow } from './support/fixtures.ts';

/** What compose.ts did for every mail before the templates were prerendered. */
async function renderWithReact(element: ReactElement): Promise<{ html: string; text: string }> {
  const html = await render(element);
  return { html, text: toPlainText(html).replace(/\n{3,}/g, '\n\n') };
}

const base = loadConfig({});
const configWith = (values: Partial<Config>): Config => ({ ...base, ...values });

/** Pieces that have tripped, or could trip, markup, whitespace handling or the encoder. */
const tricky = fc.constantFrom(
  '<',
  '>',
  '&',
  '"',
  "'",
  ' ',
  '  ',
  '\t',
  '\r\n',
  '\f',
  '\u200b',
  '\u00a0',
  '\u2028',
  '\u0000',
  '\ufeff',
  '\u202e',
  '\ud83d',
  '\ude00',
  '😀',
  'é',
  'Ада',
  '&amp;',
  '&#x27;',
  '<!-- -->',
  '<script>',
  '{{',
  '}}',
  ...SLOT_NAMES.map(slotMarker),
  'a',
  'Z',
  '0',
  '-',
);
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(tricky, { maxLength: 30 }).map((pieces) => pieces.join('')),
  // Past the 150-character preview, split inside a surrogate pair or not.
  fc.string({ unit: 'binary', minLength: 130, maxLength: 400 }),
  fc.array(tricky, { minLength: 60, maxLength: 200 }).map((pieces) => pieces.join('')),
  fc.constantFrom(...SLOT_NAMES.map(slotMarker)),
);
const token = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
  // Well-formed: encodeURIComponent throws on a lone surrogate, with or without React.
  fc.string({ unit: 'grapheme', maxLength: 60 }),
);
const frontendUrl = fc.oneof(
  fc.constant('http://localhost:3000'),
  fc.constant('https://shop.example/app?x="1"&y=<2>\'3\''),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);
const ttlSeconds = fc.integer({ min: 1, max: 10_000_000 });
const changedAt = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2200-01-01T00:00:00Z'),
  noInvalidDate: true,
});

describe('the prerendered mail templates', () => {
  it('give the same reset mail as rendering it with React Email, whatever the values', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        anyText,
        token,
        frontendUrl,
        ttlSeconds,
        async (appName, name, resetToken, url, ttl) => {
          const config = configWith({ appName, frontendUrl: url, resetTokenTtlSeconds: ttl });
          const composed = await composeMail(
            outboxRow('password_reset', { token: resetToken, name, expiresAt: 0 }),
            config,
          );
          const expected = await renderWithReact(
            createElement(PasswordResetEmail, {
              appName: oneLine(appName),
              name: oneLine(name),
              resetUrl: resetLink(config, resetToken),
              expiresIn: describeDuration(ttl),
            }),
          );
          expect(composed.subject).toBe(passwordResetSubject(oneLine(appName)));
          expect(composed.html).toBe(expected.html);
          expect(composed.text).toBe(expected.text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('give the same password-changed mail as React Email, with and without "this wasn\'t me"', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        anyText,
        fc.option(token, { nil: undefined }),
        frontendUrl,
        changedAt,
        async (appName, name, notMeToken, url, when) => {
          const config = configWith({ appName, frontendUrl: url });
          const composed = await composeMail(
            outboxRow('password_changed', { name, changedAt: when.getTime(), notMeToken }),
            config,
          );
          const expected = await renderWithReact(
            createElement(PasswordChangedEmail, {
              appName: oneLine(appName),
              name: oneLine(name),
              changedAt: when.toUTCString(),
              forgotPasswordUrl: `${url}/forgot-password`,
              notMeUrl: notMeToken ? notMeLink(config, notMeToken) : undefined,
            }),
          );
          expect(composed.subject).toBe(passwordChangedSubject(oneLine(appName)));
          expect(composed.html).toBe(expected.html);
          expect(composed.text).toBe(expected.text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('escape a value for HTML in text, for the attribute in href, and leave it as is in the text part', async () => {
    const config = configWith({
      appName: 'Tom & "Jerry\'s" <Shop>',
      frontendUrl: 'https://shop.example/a?b="c"&d=<e>',
    });
    const composed = await composeMail(
      outboxRow('password_reset', { token: 'a&b"c', name: '<b>Eve</b> {{name}}', expiresAt: 0 }),
      config,
    );
    expect(composed.subject).toBe('Password Reset Request - Tom & "Jerry\'s" <Shop>');
    expect(composed.html).toContain('Hi <!-- -->&lt;b&gt;Eve&lt;/b&gt; {{name}}<!-- -->,');
    expect(composed.html).toContain('your <!-- -->Tom &amp; &quot;Jerry&#x27;s&quot; &lt;Shop&gt;');
    expect(composed.html).toContain(
      'href="https://shop.example/a?b=&quot;c&quot;&amp;d=&lt;e&gt;/reset-password?token=a%26b%22c"',
    );
    expect(composed.html).not.toMatch(/<b>|<Shop>|"c"/);
    expect(composed.text).toContain('Hi <b>Eve</b> {{name}},');
    expect(composed.text).toContain('your Tom & "Jerry\'s" <Shop> account');
    expect(composed.text).toContain(
      'https://shop.example/a?b="c"&d=<e>/reset-password?token=a%26b%22c',
    );
  });
});
