import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * zxcvbn and its dictionaries weigh about a megabyte, so they load on demand, in
 * their own chunk, the first time a password field asks for them. The estimate is
 * advice for the user; the server's password policy alone decides.
 */
export interface StrengthEstimate {
  score: 0 | 1 | 2 | 3 | 4;
  warning: string | null;
  suggestions: string[];
}

let factory: Promise<ZxcvbnFactory> | undefined;

function loadFactory(): Promise<ZxcvbnFactory> {
  factory ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(
    ([core, common, en]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  factory.catch(() => {
    factory = undefined;
  });
  return factory;
}

export function preloadStrengthEstimator(): void {
  loadFactory().catch(() => undefined);
}

export async function estimateStrength(
  password: string,
  userInputs: string[],
): Promise<StrengthEstimate> {
  const zxcvbn = await loadFactory();
  const result = zxcvbn.check(password, userInputs);
  return {
    score: result.score,
    warning: result.feedback.warning,
    suggestions: result.feedback.suggestions,
  };
}

export const STRENGTH_LABELS = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;
