import type { ReactNode, Ref } from 'react';

interface AlertProps {
  tone: 'error' | 'success' | 'info';
  title?: ReactNode;
  children?: ReactNode;
  ref?: Ref<HTMLDivElement>;
}

/**
 * A message at the top of a form. Errors use role="alert" (announced at once);
 * success and information use role="status" (announced politely).
 */
export function Alert({ tone, title, children, ref }: AlertProps) {
  return (
    <div
      ref={ref}
      className={`alert alert-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      tabIndex={-1}
    >
      {title && <p className="alert-title">{title}</p>}
      {children && <div className="alert-body">{children}</div>}
    </div>
  );
}

/** Messages not tied to one field (`non_field_errors`, `token`, unknown fields). */
export function MessageList({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  if (messages.length === 1) return <p>{messages[0]}</p>;
  return (
    <ul>
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}
