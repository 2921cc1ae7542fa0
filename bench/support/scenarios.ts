import type { LoadOptions } from './load.ts';
import { BENCH_PASSWORD, userEmail } from './seed.ts';

export type ScenarioName = 'forgot' | 'verify' | 'login' | 'reset';

/** What the scenarios draw on: the seeded users and their reset tokens. */
export interface ScenarioData {
  users: number;
  /** Tokens the verify scenario checks over and over. */
  verifyTokens: string[];
  /** Tokens the reset scenario spends, one per request. */
  resetTokens: string[];
}

/** The request sequence of one scenario: each call gives the next request. */
export function scenario(name: ScenarioName, data: ScenarioData): LoadOptions['next'] {
  const { users, verifyTokens, resetTokens } = data;
  let i = 0;
  switch (name) {
    case 'forgot':
      return () => {
        i += 1;
        const email = i % 2 === 0 ? userEmail(i % users) : `unknown${i}@bench.example.com`;
        return { method: 'POST', path: '/api/auth/forgot-password/', body: { email } };
      };
    case 'verify':
      return () => {
        i += 1;
        const token = verifyTokens[i % verifyTokens.length];
        return { method: 'POST', path: '/api/auth/verify-reset-token/', body: { token } };
      };
    case 'login':
      return () => {
        i += 1;
        const body = { email: userEmail(i % users), password: BENCH_PASSWORD };
        return { method: 'POST', path: '/api/auth/login/', body };
      };
    case 'reset':
      return () => {
        // A fresh token each time; once the pool is spent the answers are 400s, not counted.
        const token = resetTokens[i] ?? 'spent'.repeat(9);
        i += 1;
        const body = { token, new_password: BENCH_PASSWORD, confirm_password: BENCH_PASSWORD };
        return { method: 'POST', path: '/api/auth/reset-password/', body };
      };
  }
}
