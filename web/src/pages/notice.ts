/** What one page hands to the next through the router's location state. */
export interface NavigationNotice {
  notice?: string;
  email?: string;
}

export function readNavigationNotice(state: unknown): NavigationNotice {
  if (typeof state !== 'object' || state === null) return {};
  const { notice, email } = state as Record<string, unknown>;
  return {
    ...(typeof notice === 'string' && notice !== '' ? { notice } : {}),
    ...(typeof email === 'string' && email !== '' ? { email } : {}),
  };
}
