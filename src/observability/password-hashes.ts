import { Gauge } from 'prom-client';
import type { PasswordHasher } from '../accounts/password-hashing.ts';
import type { MetricsModule } from './metrics.ts';

/** How busy argon2id is: a login flood shows as hashes waiting for a core. */
export function passwordHashGauges(hasher: PasswordHasher): MetricsModule {
  return (registry) => {
    new Gauge({
      name: 'rekey_password_hashes_running',
      help: 'argon2id derivations running now',
      registers: [registry],
      collect() {
        this.set(hasher.load().running);
      },
    });
    new Gauge({
      name: 'rekey_password_hashes_waiting',
      help: 'argon2id derivations waiting for a free core',
      registers: [registry],
      collect() {
        this.set(hasher.load().waiting);
      },
    });
  };
}
