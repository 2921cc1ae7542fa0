import type { MouseEvent, ReactNode } from 'react';
import { Spinner } from './Spinner.tsx';

interface SubmitButtonProps {
  loading: boolean;
  loadingText: string;
  /** Also inactive, e.g. while a 429's Retry-After runs. */
  disabled?: boolean;
  children: ReactNode;
}

/**
 * Inactive while its request runs. It uses aria-disabled rather than the
 * `disabled` attribute so that keyboard focus stays on it instead of falling
 * back to the page; a click (or Enter in a field) does nothing meanwhile.
 */
export function SubmitButton({ loading, loadingText, disabled, children }: SubmitButtonProps) {
  const inactive = loading || Boolean(disabled);
  return (
    <button
      type="submit"
      className="button button-primary"
      aria-disabled={inactive || undefined}
      onClick={(event: MouseEvent<HTMLButtonElement>) => {
        if (inactive) event.preventDefault();
      }}
    >
      {loading ? (
        <>
          <Spinner />
          {loadingText}
        </>
      ) : (
        children
      )}
    </button>
  );
}
