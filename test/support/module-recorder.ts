import { writeFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';

/**
 * Preloaded with `node --import` into a process under test: records the URL of every module
 * the process loads, ESM or CommonJS, and writes them as JSON to MODULE_RECORDER_REPORT when
 * the process exits.
 */
const report = process.env.MODULE_RECORDER_REPORT;
if (!report) throw new Error('module-recorder: set MODULE_RECORDER_REPORT');

const loaded = new Set<string>();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});

process.on('exit', () => {
  const requireCache = Object.keys(createRequire(import.meta.url).cache);
  writeFileSync(report, JSON.stringify([...loaded, ...requireCache]));
});
