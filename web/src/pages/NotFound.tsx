import { Link } from 'react-router';
import { Card } from '../components/Layout.tsx';

export function NotFound() {
  return (
    <Card title="Page not found">
      <p>
        There is no page at this address. If you followed a link from an email, copy the whole link
        into the address bar.
      </p>
      <div className="actions">
        <Link className="button button-primary" to="/login">
          Go to sign in
        </Link>
      </div>
    </Card>
  );
}

export function ErrorPage() {
  return (
    <div className="app">
      <main className="site-main">
        <section className="card card-error" aria-labelledby="page-title">
          <h1 id="page-title">Something went wrong</h1>
          <p>The page could not be shown. Reload it to try again.</p>
          <div className="actions">
            <a className="button button-primary" href="/">
              Start again
            </a>
          </div>
        </section>
      </main>
    </div>
  );
}
