/**
 * Email addresses as users type them, and the key they are looked up by.
 *
 * Lookups compare NFKC-normalised, lower-cased addresses. Django had to fix
 * CVE-2019-19844 because `UPPER()` maps the dotless `ı` to `I`, so "mıke@" matched
 * "mike@" and the reset mail went to the attacker's typed address. Lower-casing never
 * maps one letter onto another that way (`ı` stays `ı`, `İ` becomes `i̇`), and the mail
 * always goes to the address stored on the account, never to the typed one.
 */
export function emailKey(email: string): string {
  return email.normalize('NFKC').toLowerCase();
}

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
// Letters and digits of any script, plus RFC 5322 atext; dots only between atoms.
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TOP_LEVEL = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;

/**
 * Trims surrounding spaces (as Django's EmailField does) and validates; returns the
 * address or null. Control characters anywhere, CR/LF included, make it invalid, so no
 * address we accept can carry a header into a mail.
 */
export function parseEmail(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const email = input.replace(/^ +| +$/g, '');
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || /[\p{Cc}\s]/u.test(email)) {
    return null;
  }
  const at = email.lastIndexOf('@');
  if (at < 1) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) return null;
  if (domain === 'localhost') return email;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return null;
  return TOP_LEVEL.test(labels.at(-1) ?? '') ? email : null;
}
