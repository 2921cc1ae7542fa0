import { writePrerenderedMailTemplates } from './prerender.tsx';

/**
 * `npm run build` runs this from dist/: it writes dist/mail/prerendered-mail.json, the
 * templates compose.js fills at send time.
 */
const file = await writePrerenderedMailTemplates(import.meta.dirname);
process.stdout.write(`mail templates prerendered: ${file}\n`);
