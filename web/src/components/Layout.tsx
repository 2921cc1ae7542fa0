import { type ReactNode, useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { config } from '../config.ts';
import { useDocumentTitle } from '../hooks.ts';

/** Header with the app's name, then the page. */
export function Layout() {
  const mainRef = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const firstPath = useRef(pathname);

  // After an in-app navigation, move focus to the new page so that screen
  // readers start reading it; the first load keeps the browser's own focus.
  useEffect(() => {
    if (pathname === firstPath.current) return;
    firstPath.current = '';
    mainRef.current?.focus();
  }, [pathname]);

  return (
    <div className="app">
      <header className="site-header">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            {config.appName.trim().charAt(0).toUpperCase() || 'R'}
          </span>
          <span className="brand-name">{config.appName}</span>
        </Link>
      </header>
      <main className="site-main" ref={mainRef} tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          {config.appName} account security. Never share your password or reset link with anyone.
        </p>
      </footer>
    </div>
  );
}

interface CardProps {
  title: string;
  /** The browser tab's title, when it differs from the heading. */
  documentTitle?: string;
  intro?: ReactNode;
  tone?: 'default' | 'error';
  children?: ReactNode;
}

/** One page: a centred card with a heading. */
export function Card({ title, documentTitle, intro, tone = 'default', children }: CardProps) {
  useDocumentTitle(documentTitle ?? title);
  return (
    <section className={`card card-${tone}`} aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {intro && <div className="card-intro">{intro}</div>}
      {children}
    </section>
  );
}
