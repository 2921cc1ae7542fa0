import { join } from 'node:path';
import { writePrerenderedMailTemplates } from '../../src/mail/prerender.tsx';

/**
 * Once per test run, what `npm run build` does for dist/: prerender the .tsx templates into
 * src/mail/prerendered-mail.json (ignored by git), so the tests run the very code the server
 * runs, reading the templates from beside compose.ts, and never a stale copy.
 */
export default async function setup(): Promise<void> {
  await writePrerenderedMailTemplates(join(import.meta.dirname, '..', '..', 'src', 'mail'));
}
