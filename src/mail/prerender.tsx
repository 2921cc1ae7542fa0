import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { render, toPlainText } from '@react-email/render';
import type { ReactElement } from 'react';
import {
  type HtmlPart,
  PRERENDERED_FILE,
  type PrerenderedMail,
  type PrerenderedMails,
  SLOT_NAMES,
  type SlotName,
  slotMarker,
  type TextPart,
} from './slots.ts';
import {
  PasswordChangedEmail,
  passwordChangedSubject,
} from './templates/password-changed-email.tsx';
import { PasswordResetEmail, passwordResetSubject } from './templates/password-reset-email.tsx';

/**
 * Build time only: renders the templates with React Email, a marker in place of each runtime
 * value, and cuts the result into fixed text and slots. The server never imports this file.
 */

const marker = Object.fromEntries(SLOT_NAMES.map((name) => [name, slotMarker(name)])) as Record<
  SlotName,
  string
>;
const MARKER = new RegExp(`\\{\\{(${SLOT_NAMES.join('|')})\\}\\}`, 'g');
const SEPARATOR = '<!-- -->';

/** The HTML and text as compose.ts made them when it rendered each mail with React. */
async function renderMail(element: ReactElement): Promise<{ html: string; text: string }> {
  const html = await render(element);
  return { html, text: toPlainText(html).replace(/\n{3,}/g, '\n\n') };
}

function textParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(MARKER)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push({ slot: match[1] as SlotName });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

function unescapeReactText(html: string): string {
  if (/&(?!quot;|amp;|#x27;|lt;|gt;)/.test(html) || /[<>]/.test(html)) {
    throw new Error(`prerender: unexpected markup in the preview text: ${html}`);
  }
  return html
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/**
 * The preview block (templates/preview.tsx): its text, then `<div>` and invisible characters up
 * to its maximum length. Both depend on the length of the value, so the block becomes one slot.
 */
function previewPart(html: string): { before: string; part: HtmlPart; after: string } {
  const opening = /<div [^>]*data-skip-in-text="true">/.exec(html);
  if (!opening) throw new Error('prerender: no preview block found');
  const start = opening.index + opening[0].length;
  const filler = /^([^<]*)<div>([^<]+)<\/div><\/div>/.exec(html.slice(start));
  if (!filler?.[1] || !filler[2]) throw new Error('prerender: the preview text has no filler');
  const text = unescapeReactText(filler[1]);
  const fill = filler[2];
  const firstAgain = fill.indexOf(fill[0] ?? '', 1);
  const fillerUnit = firstAgain > 0 ? fill.slice(0, firstAgain) : fill;
  const count = fill.length / fillerUnit.length;
  if (!Number.isInteger(count) || fillerUnit.repeat(count) !== fill) {
    throw new Error('prerender: the preview filler is not one repeated unit');
  }
  return {
    before: html.slice(0, start),
    part: { in: 'preview', text: textParts(text), maxLength: text.length + count, fillerUnit },
    after: html.slice(start + filler[1].length + '<div>'.length + fill.length + '</div>'.length),
  };
}

function htmlParts(html: string): HtmlPart[] {
  const parts: HtmlPart[] = [];
  let at = 0;
  let fixed = '';
  for (const match of html.matchAll(MARKER)) {
    fixed += html.slice(at, match.index);
    at = match.index + match[0].length;
    const slot = match[1] as SlotName;
    const inTag = fixed.lastIndexOf('<') > fixed.lastIndexOf('>');
    if (inTag) {
      if (!/="[^"]*$/.test(fixed)) {
        throw new Error(`prerender: ${slot} is in a tag but not in a quoted attribute`);
      }
      parts.push(fixed, { slot, in: 'attribute' });
      fixed = '';
      continue;
    }
    const separatorBefore = fixed.endsWith(SEPARATOR);
    if (separatorBefore) fixed = fixed.slice(0, -SEPARATOR.length);
    const separatorAfter = html.startsWith(SEPARATOR, at);
    if (separatorAfter) at += SEPARATOR.length;
    if (separatorAfter && html.startsWith('{{', at)) {
      throw new Error(`prerender: two slots side by side after ${slot}`);
    }
    parts.push(fixed, { slot, in: 'text', separatorBefore, separatorAfter });
    fixed = '';
  }
  fixed += html.slice(at);
  parts.push(fixed);
  return parts.filter((part) => part !== '');
}

async function prerender(element: ReactElement, subject: string): Promise<PrerenderedMail> {
  const { html, text } = await renderMail(element);
  const preview = previewPart(html);
  return {
    subject: textParts(subject),
    html: [...htmlParts(preview.before), preview.part, ...htmlParts(preview.after)],
    text: textParts(text),
  };
}

export async function prerenderMailTemplates(): Promise<PrerenderedMails> {
  const changed = {
    appName: marker.appName,
    name: marker.name,
    changedAt: marker.changedAt,
    forgotPasswordUrl: marker.forgotPasswordUrl,
  };
  return {
    password_reset: await prerender(
      <PasswordResetEmail
        appName={marker.appName}
        name={marker.name}
        resetUrl={marker.resetUrl}
        expiresIn={marker.expiresIn}
      />,
      passwordResetSubject(marker.appName),
    ),
    password_changed: await prerender(
      <PasswordChangedEmail {...changed} />,
      passwordChangedSubject(marker.appName),
    ),
    password_changed_not_me: await prerender(
      <PasswordChangedEmail {...changed} notMeUrl={marker.notMeUrl} />,
      passwordChangedSubject(marker.appName),
    ),
  };
}

/** Writes prerendered-mail.json into `directory`, where compose.ts/compose.js reads it. */
export async function writePrerenderedMailTemplates(directory: string): Promise<string> {
  const templates = await prerenderMailTemplates();
  await mkdir(directory, { recursive: true });
  const file = join(directory, PRERENDERED_FILE);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(templates)}\n`);
  await rename(partial, file);
  return file;
}
