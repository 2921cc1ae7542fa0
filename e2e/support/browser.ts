import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless. On CI a missing browser fails the run; on a developer's
 * machine the browser tests are skipped with a line that says how to get it.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const message = `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\``;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`\n!!! SKIPPING BROWSER TESTS — ${message}\n\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** For `locator.evaluate`: whether the element has the focus (runs in the page). */
export const hasFocus = (element: { ownerDocument: { activeElement: unknown } }) =>
  element === element.ownerDocument.activeElement;
