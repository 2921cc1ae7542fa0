/**
 * Run-time configuration. The web server writes the API base URL and the app
 * name into <meta> tags when it serves index.html, so one build works for every
 * deployment. A value still holding its `%PLACEHOLDER%` (the Vite dev server, or
 * the file opened as is) falls back to the guide's defaults.
 */
export const DEFAULT_API_URL = 'http://localhost:8000/api';
export const DEFAULT_APP_NAME = 'BikeShop';

function readMeta(name: string): string | undefined {
  const content = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.trim();
  if (!content || /^%[A-Z_]+%$/.test(content)) return undefined;
  return content;
}

export interface AppConfig {
  apiUrl: string;
  appName: string;
}

export function readConfig(): AppConfig {
  return {
    apiUrl: (readMeta('rekey-api-url') ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    appName: readMeta('rekey-app-name') ?? DEFAULT_APP_NAME,
  };
}

export const config: AppConfig = readConfig();
