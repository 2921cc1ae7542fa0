/**
 * The session token lives in sessionStorage: it survives a reload but not the
 * closing of the tab, and it is never sent anywhere by the browser on its own
 * (unlike a cookie), so it needs no CSRF defence.
 */
const KEY = 'rekey.session';

export function readSessionToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveSessionToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // Storage can be disabled (private modes, policies); the user then stays signed out.
  }
}

export function clearSessionToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing to clear.
  }
}
