import { useEffect, useState } from 'react';
import { estimateStrength, STRENGTH_LABELS, type StrengthEstimate } from '../strength.ts';

interface StrengthMeterProps {
  id: string;
  password: string;
  /** Words the password should not be built from: the email, names. */
  userInputs: string[];
}

/**
 * zxcvbn's estimate of the password, as advice. The server's password policy
 * decides; its messages appear above this meter, under the field.
 */
export function StrengthMeter({ id, password, userInputs }: StrengthMeterProps) {
  const [estimate, setEstimate] = useState<StrengthEstimate | null>(null);
  const inputsKey = userInputs.join('\n');

  useEffect(() => {
    if (password === '') {
      setEstimate(null);
      return;
    }
    let current = true;
    estimateStrength(password, inputsKey === '' ? [] : inputsKey.split('\n'))
      .then((result) => {
        if (current) setEstimate(result);
      })
      .catch(() => {
        if (current) setEstimate(null);
      });
    return () => {
      current = false;
    };
  }, [password, inputsKey]);

  if (password === '' || estimate === null) {
    return <div id={id} className="strength strength-empty" />;
  }

  const advice = estimate.warning || estimate.suggestions[0];
  return (
    <div id={id} className="strength" data-score={estimate.score}>
      <div className="strength-bar" aria-hidden="true">
        <span />
        <span />
        <span />
        <span />
      </div>
      <p className="strength-text">
        Password strength: <strong>{STRENGTH_LABELS[estimate.score]}</strong>
      </p>
      {advice && <p className="strength-advice">{advice}</p>}
    </div>
  );
}

/** The email, its local part and its words, plus any names, for zxcvbn. */
export function personalWords(...values: string[]): string[] {
  const words = new Set<string>();
  for (const value of values) {
    const trimmed = value.trim().toLowerCase();
    if (trimmed === '') continue;
    words.add(trimmed);
    const local = trimmed.split('@')[0] ?? '';
    if (local !== '') words.add(local);
    for (const part of local.split(/[^\p{L}\p{N}]+/u)) if (part.length > 2) words.add(part);
  }
  return [...words];
}
