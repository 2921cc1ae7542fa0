import { type RefObject, useCallback, useEffect, useState } from 'react';
import { config } from './config.ts';

/** Sets `document.title` to "<page> · <app name>". */
export function useDocumentTitle(pageTitle: string): void {
  useEffect(() => {
    document.title = `${pageTitle} · ${config.appName}`;
  }, [pageTitle]);
}

/**
 * After a 429, keeps the submit button disabled until `Retry-After` has passed.
 * The message already tells how long; nothing is announced every second.
 */
export function useCooldown(): { coolingDown: boolean; startCooldown: (seconds?: number) => void } {
  const [until, setUntil] = useState(0);

  useEffect(() => {
    if (until === 0) return;
    const timer = window.setTimeout(() => setUntil(0), Math.max(0, until - Date.now()));
    return () => window.clearTimeout(timer);
  }, [until]);

  const startCooldown = useCallback((seconds?: number) => {
    if (seconds !== undefined && seconds > 0) setUntil(Date.now() + seconds * 1000);
  }, []);

  return { coolingDown: until !== 0, startCooldown };
}

type Focusable = RefObject<HTMLElement | null>;

/**
 * Moves focus once React has rendered the element: to the first field in
 * error, or to a message that has just appeared.
 */
export function useFocusAfterRender(): (target: Focusable) => void {
  const [target, setTarget] = useState<{ ref: Focusable } | null>(null);

  useEffect(() => {
    if (target === null) return;
    target.ref.current?.focus();
    setTarget(null);
  }, [target]);

  return useCallback((ref: Focusable) => setTarget({ ref }), []);
}
