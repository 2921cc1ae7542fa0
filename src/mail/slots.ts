/**
 * Mail templates rendered by React Email at build time (see prerender.tsx), with a slot where
 * each runtime value goes. Filling a slot is string work only, so the server sends mail without
 * loading React; test/mail-prerender.test.ts proves the result equals a React render.
 */

import { escapeHtml } from '../html-escape.ts';

export const SLOT_NAMES = [
  'appName',
  'name',
  'resetUrl',
  'expiresIn',
  'changedAt',
  'forgotPasswordUrl',
  'notMeUrl',
] as const;
export type SlotName = (typeof SLOT_NAMES)[number];
export type SlotValues = Partial<Record<SlotName, string>>;

/** A piece of text: fixed text, or a value put in as it is. */
export type TextPart = string | { slot: SlotName };

/** A piece of the HTML part: fixed markup, or a value escaped for where it stands. */
export type HtmlPart =
  | string
  /**
   * A value in text content. React writes `<!-- -->` between adjacent text nodes and nothing
   * for an empty one: `separatorBefore`/`separatorAfter` say whether a text node is next to it.
   */
  | { slot: SlotName; in: 'text'; separatorBefore: boolean; separatorAfter: boolean }
  /** A value inside a double-quoted attribute (an `href`). */
  | { slot: SlotName; in: 'attribute' }
  /**
   * The inbox preview (templates/preview.tsx): the text cut at `maxLength` UTF-16 units, then
   * `fillerUnit` once for each unit short of `maxLength`, so the preview does not show the body.
   */
  | { in: 'preview'; text: TextPart[]; maxLength: number; fillerUnit: string };

export interface PrerenderedMail {
  subject: TextPart[];
  html: HtmlPart[];
  text: TextPart[];
}

export const PRERENDERED_MAIL_KINDS = [
  'password_reset',
  'password_changed',
  'password_changed_not_me',
] as const;
export type PrerenderedMailKind = (typeof PRERENDERED_MAIL_KINDS)[number];
export type PrerenderedMails = Record<PrerenderedMailKind, PrerenderedMail>;

/** The file `npm run build` writes next to compose.js (and the test setup next to compose.ts). */
export const PRERENDERED_FILE = 'prerendered-mail.json';

/** The written form of a slot in a template being prerendered: `{{appName}}`. */
export function slotMarker(name: SlotName): string {
  return `{{${name}}}`;
}

/**
 * The mail leaves as UTF-8, where a lone surrogate cannot be written: React's encoder turns it
 * into U+FFFD, and so do we.
 */
function wellFormed(value: string): string {
  return value.replace(/\p{Cs}/gu, '\uFFFD');
}

function slotValue(values: SlotValues, name: SlotName): string {
  const value = values[name];
  if (value === undefined) throw new Error(`mail template: no value for the slot ${name}`);
  return wellFormed(value);
}

export function fillText(parts: readonly TextPart[], values: SlotValues): string {
  let out = '';
  for (const part of parts) out += typeof part === 'string' ? part : slotValue(values, part.slot);
  return out;
}

export function fillHtml(parts: readonly HtmlPart[], values: SlotValues): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
    } else if (part.in === 'attribute') {
      out += escapeHtml(slotValue(values, part.slot));
    } else if (part.in === 'text') {
      const value = slotValue(values, part.slot);
      if (value === '') {
        if (part.separatorBefore && part.separatorAfter) out += '<!-- -->';
      } else {
        if (part.separatorBefore) out += '<!-- -->';
        out += escapeHtml(value);
        if (part.separatorAfter) out += '<!-- -->';
      }
    } else {
      const shown = wellFormed(fillText(part.text, values).substring(0, part.maxLength));
      out += escapeHtml(shown);
      if (shown.length < part.maxLength) {
        out += `<div>${part.fillerUnit.repeat(part.maxLength - shown.length)}</div>`;
      }
    }
  }
  return out;
}

/**
 * The plain-text part was made from the HTML by html-to-text, which collapses whitespace
 * (` `, tab, CR, LF, form feed, U+200B) inside a line and drops it at a line's ends; a value put
 * in afterwards gets the same treatment here, and an empty one leaves no blank lines behind.
 */
export function fillPlainText(parts: readonly TextPart[], values: SlotValues): string {
  return fillText(parts, values)
    .replace(/[ \t\r\f\u200b]+/g, ' ')
    .replace(/^ | $/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}

export function fillMail(
  mail: PrerenderedMail,
  values: SlotValues,
): { subject: string; html: string; text: string } {
  return {
    subject: fillText(mail.subject, values),
    html: fillHtml(mail.html, values),
    text: fillPlainText(mail.text, values),
  };
}
