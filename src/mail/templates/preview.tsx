/** How much of the inbox preview the text and its filler take, as React Email's <Preview>. */
const PREVIEW_LENGTH = 150;

/**
 * A zero-width non-joiner and a no-break space (`&zwnj;&nbsp;`), the long-standing preheader
 * filler. React Email's <Preview> pads with seven invisible characters per missing one: 2.5 KB
 * of UTF-8 and 7.5 KB of a 13 KB reset mail once quoted-printable, for the same blank preview.
 */
const PREVIEW_FILLER = '\u200C\u00A0';

/**
 * The hidden text inbox clients show next to the subject, then filler up to PREVIEW_LENGTH, so
 * the client does not pull in the body's first words after it. The same markup as React
 * Email's <Preview>, so html-to-text still skips it in the plain-text part.
 */
export function MailPreview(props: { text: string }) {
  const shown = props.text.substring(0, PREVIEW_LENGTH);
  return (
    <div style={hidden} data-skip-in-text="true">
      {shown}
      {shown.length < PREVIEW_LENGTH ? (
        <div>{PREVIEW_FILLER.repeat(PREVIEW_LENGTH - shown.length)}</div>
      ) : null}
    </div>
  );
}

const hidden = {
  display: 'none',
  overflow: 'hidden',
  lineHeight: '1px',
  opacity: 0,
  maxHeight: 0,
  maxWidth: 0,
};
