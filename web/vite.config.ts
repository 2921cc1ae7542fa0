import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The bundled pages. `npm run build:web` writes them to <repo>/dist/pages, where
 * src/web/server.ts serves them. The API URL and the app name are not baked
 * in: the server fills the <meta> placeholders of index.html at run time.
 */
const webDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [react()],
  build: {
    outDir: `${repoDir}dist/pages`,
    emptyOutDir: true,
    // zxcvbn's dictionaries are one lazily loaded chunk of about a megabyte.
    chunkSizeWarningLimit: 2000,
  },
});
