import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.LAPSE_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's headless Chromium (tools/browser/install-chromium.sh), driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Fills the development OpenID provider's sign-in form the browser was sent to, as a person
 * would: their email and the development password.
 */
export async function signInAtProvider(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
