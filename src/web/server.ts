import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { escapeHtml } from '../html-escape.ts';

/** Vite puts content-hashed files here; their URL changes whenever their content does. */
const ASSETS_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Files of public/ (favicon…) keep their names between builds: revalidate them. */
const REVALIDATE = 'public, max-age=0, must-revalidate';

/**
 * Serves the bundled React pages (/forgot-password, /reset-password, /login, …).
 *
 * The reset page carries the token in its URL, so every response says
 * `Referrer-Policy: no-referrer` and the CSP lets the page load nothing from
 * another origin and talk to no one but the API: the token cannot leak through
 * a Referer header or a third-party request.
 *
 * One build serves every deployment: index.html keeps `%REKEY_API_URL%` and
 * `%REKEY_APP_NAME%` placeholders, filled here (HTML-escaped) once at start-up.
 *
 * - `root`: the built pages (`npm run build:web` → `defaultWebRoot()`); index.html must exist.
 * - `apiUrl`: the API base the pages call, e.g. `http://localhost:8000/api`, or a path
 *   such as `/api` when a proxy serves both on one origin.
 * - `appName`: branding for the header and the document title.
 * - `logger`: as Fastify's; request logs never include the query string (the token).
 */
export async function buildWebServer(options: {
  root: string;
  apiUrl: string;
  appName: string;
  logger?: boolean | object;
}): Promise<FastifyInstance> {
  const root = resolve(options.root);
  const indexHtml = renderIndexHtml(readIndexHtml(root), options);
  const apiOrigin = originOf(options.apiUrl);

  const app = Fastify({
    logger: loggerOptions(options.logger),
    // The pages are static: nothing to parse, so no body is accepted.
    bodyLimit: 1024,
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: apiOrigin ? ["'self'", apiOrigin] : ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'"],
        scriptSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // Whether the pages are reached over HTTPS is the TLS terminator's business.
    strictTransportSecurity: false,
  });

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    dotfiles: 'ignore',
    allowedPath: isServableFile,
    cacheControl: false,
    setHeaders(reply, filePath) {
      const isAsset = filePath.startsWith(join(root, ASSETS_PREFIX));
      reply.header('Cache-Control', isAsset ? IMMUTABLE : REVALIDATE);
    },
  });

  const sendIndex = (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(200)
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(indexHtml);

  app.get('/', sendIndex);

  // SPA fallback: a GET for anything that is not a file is a page of the app,
  // which shows its own "Page not found". A missing asset or file stays a 404,
  // so a stale script URL fails loudly instead of receiving HTML.
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?', 1)[0] ?? '/';
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !pathname.startsWith(ASSETS_PREFIX) &&
      (pathname === '/index.html' || !/\.[^/]*$/.test(pathname));
    if (isPage) return sendIndex(request, reply);
    return reply
      .code(404)
      .type('text/plain; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send('Not Found');
  });

  return app;
}

/**
 * index.html is only ever sent rendered, by the handlers above. Scripts live in
 * /assets/ (Vite puts every chunk there); a script or source map elsewhere in
 * the root is not part of the pages (say, server code compiled into the same
 * directory) and is never served.
 */
function isServableFile(pathname: string): boolean {
  if (pathname === '/index.html') return false;
  if (pathname.startsWith(ASSETS_PREFIX)) return true;
  return !/\.(?:[cm]?js|map)$/i.test(pathname);
}

/** `<repo>/dist/pages`, found by walking up from this file to the directory holding package.json. */
export function defaultWebRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${import.meta.dirname}`);
    dir = parent;
  }
  return join(dir, 'dist', 'pages');
}

function readIndexHtml(root: string): string {
  const file = join(root, 'index.html');
  if (!existsSync(file)) {
    throw new Error(`The web pages are not built: ${file} is missing. Run \`npm run build:web\`.`);
  }
  return readFileSync(file, 'utf8');
}

export function renderIndexHtml(html: string, values: { apiUrl: string; appName: string }): string {
  return html
    .replaceAll('%REKEY_API_URL%', escapeHtml(values.apiUrl))
    .replaceAll('%REKEY_APP_NAME%', escapeHtml(values.appName));
}

/**
 * The origin the CSP must let the pages connect to. An absolute http(s) URL
 * gives its origin; a path (`/api`, same origin as the pages) needs none.
 */
function originOf(apiUrl: string): string | undefined {
  if (apiUrl.startsWith('/') && !apiUrl.startsWith('//')) return undefined;
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Error(`The API URL for the web pages is not a URL: ${apiUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`The API URL for the web pages must be http(s): ${apiUrl}`);
  }
  return url.origin;
}

/** Request logs keep the path only: the reset page's query string holds the token. */
function loggerOptions(logger: boolean | object | undefined): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  const serializers = (base.serializers ?? {}) as Record<string, unknown>;
  return {
    ...base,
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: request.url.split('?', 1)[0],
        host: request.host,
        remoteAddress: request.ip,
      }),
      ...serializers,
    },
  } as FastifyServerOptions['logger'];
}
