/** Where Rekey runs in a bench: `--database sqlite|postgres`, `--mail-worker in-process|separate`. */
export interface Layout {
  database: 'sqlite' | 'postgres';
  /** The API with MAIL_WORKER=false and `dist/cli.js worker` beside it. */
  separateWorker: boolean;
}

export const LAYOUT_OPTIONS = {
  database: { type: 'string', default: 'sqlite' },
  'mail-worker': { type: 'string', default: 'in-process' },
} as const;

export function parseLayout(values: { database: string; 'mail-worker': string }): Layout {
  const { database } = values;
  if (database !== 'sqlite' && database !== 'postgres') {
    throw new Error('--database must be sqlite or postgres');
  }
  const mailWorker = values['mail-worker'];
  if (mailWorker !== 'in-process' && mailWorker !== 'separate') {
    throw new Error('--mail-worker must be in-process or separate');
  }
  if (mailWorker === 'separate' && database !== 'postgres') {
    throw new Error('--mail-worker separate needs --database postgres (SQLite is for one process)');
  }
  return { database, separateWorker: mailWorker === 'separate' };
}
