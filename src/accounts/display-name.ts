/** How mails greet someone: the first name, else the local part of the address. */
export function displayName(user: { first_name: string; email: string }): string {
  const first = user.first_name.trim();
  if (first) return first;
  const at = user.email.lastIndexOf('@');
  return at > 0 ? user.email.slice(0, at) : user.email;
}
