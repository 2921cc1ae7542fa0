const ESCAPES: Record<string, string> = {
  '"': '&quot;',
  '&': '&amp;',
  "'": '&#x27;',
  '<': '&lt;',
  '>': '&gt;',
};

/**
 * What React does to text content and to attribute values (it quotes attributes with `"`):
 * the mails' filled-in values and the pages' index.html placeholders are escaped alike.
 */
export function escapeHtml(value: string): string {
  return value.replace(/["&'<>]/g, (c) => ESCAPES[c] ?? c);
}
