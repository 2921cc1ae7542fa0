import { dirname, relative } from 'node:path';
import { defineConfig, type Plugin } from 'rolldown';

const SRC = `${import.meta.dirname}/src/`;

/** dist/main.modules.json: the files the bundle holds (what the tests check React is not in). */
function listModules(): Plugin {
  return {
    name: 'rekey-list-modules',
    generateBundle(_options, bundle) {
      const modules = Object.values(bundle).flatMap((file) =>
        file.type === 'chunk'
          ? file.moduleIds
              .filter((id) => !id.startsWith('\0'))
              .map((id) => relative(import.meta.dirname, id))
          : [],
      );
      this.emitFile({
        type: 'asset',
        fileName: 'main.modules.json',
        source: `${JSON.stringify(modules.sort(), null, 1)}\n`,
      });
    },
  };
}

/**
 * In the bundle every module's `import.meta` is the bundle's (dist/main.js). Rekey's own
 * modules read files beside where tsc puts them (dist/mail/prerendered-mail.json next to
 * compose.js): each keeps the `import.meta.url` and `dirname` of its own place in dist/.
 */
function ownImportMeta(): Plugin {
  return {
    name: 'rekey-own-import-meta',
    transform(code, id) {
      if (!id.startsWith(SRC) || !code.includes('import.meta.')) return null;
      const emitted = relative(SRC, id).replace(/\.tsx?$/, '.js');
      const directory = dirname(emitted);
      return code
        .replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(`./${emitted}`)}, import.meta.url).href`,
        )
        .replaceAll(
          'import.meta.dirname',
          directory === '.'
            ? 'import.meta.dirname'
            : `(import.meta.dirname + ${JSON.stringify(`/${directory}`)})`,
        );
    },
  };
}

/**
 * `npm run build` bundles the server (src/main.ts and what it imports) into dist/main.js:
 * one module to load instead of ~750, start to listening about a third faster. Packages
 * that find files beside their own code (`__dirname`), and the optional drivers, load from
 * node_modules as before. The CLI (dist/cli.js) stays tsc's output.
 */
export default defineConfig({
  input: 'src/main.ts',
  platform: 'node',
  external: [
    /^node:/,
    'pg',
    'pg-native',
    'pino',
    'thread-stream',
    '@fastify/swagger',
    '@fastify/swagger-ui',
  ],
  plugins: [ownImportMeta(), listModules()],
  output: { file: 'dist/main.js', format: 'esm', sourcemap: true, codeSplitting: false },
});
