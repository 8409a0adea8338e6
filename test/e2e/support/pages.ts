// Browser tests drive the real app through a Site: every way of reaching a new page (visit a
// URL, submit a form, follow a link, press a key that navigates) waits for the page to load
// and then runs axe against WCAG 2.2 AA, failing the test with the violations found.
// As a safety net the Site counts every page the browser loads: a page reached some other way
// (a raw page.click, say) fails the next Site call, and the check when the test finishes.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { TOTP, Secret } from 'otpauth';
import { expect, inject, onTestFinished } from 'vitest';
import { paths } from '../../../src/paths.js';

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The Chromium this run found (test/support/global-setup.ts), or null: browser tests are then skipped. */
export const chromiumPath = (): string | null => inject('browser');

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('No Chromium in this run; the e2e suites should have been skipped');
  return chromium.launch({
    executablePath,
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

const usedSteps = new Map<string, number>();
/**
 * A security code for this secret (TOTP, SHA-1, 6 digits, 30 seconds), as an authenticator app
 * shows it. Jointly refuses a code used before, so when this run has already used the code of the
 * current 30-second step it takes the next step's (the server allows one step of clock drift);
 * beyond that it waits for the next code, as a person would.
 */
export async function totpCode(base32Secret: string): Promise<string> {
  const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(base32Secret) });
  const last = usedSteps.get(base32Secret) ?? -Infinity;
  let now = Math.floor(Date.now() / 30_000);
  if (last >= now + 1) {
    await new Promise((r) => setTimeout(r, last * 30_000 - Date.now() + 100));
    now = Math.floor(Date.now() / 30_000);
  }
  const step = Math.max(now, last + 1);
  usedSteps.set(base32Secret, step);
  return totp.generate({ timestamp: step * 30_000 });
}

/** Test timeout for browser journeys: a shared two-core machine can be slow; nothing here is a timing assertion. */
export const JOURNEY_TIMEOUT = 120_000;

export class AccessibilityError extends Error {}

export class Site {
  private loads = 0;
  private checked = 0;
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('load', () => {
      if (page.url() !== 'about:blank') this.loads++;
    });
  }

  /** A fresh browser context (its own cookies): one person at one computer. */
  static async open(browser: Browser, baseUrl: string): Promise<Site> {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    // Fail fast with Playwright's own message when an element is missing, well inside the test timeout.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const site = new Site(context, page, baseUrl);
    try {
      onTestFinished(() => site.assertEveryPageChecked());
    } catch {
      // Opened outside a test (beforeAll): close() checks instead.
    }
    return site;
  }

  /** Goes to a path and checks the page that loads. Returns the HTTP status of the final page. */
  async visit(path: string): Promise<number> {
    this.assertEveryPageChecked();
    const res = await this.page.goto(path, { waitUntil: 'load' });
    await this.checkAccessibility();
    return res?.status() ?? 0;
  }

  /** Clicks the button with this accessible name, waits for the next page and checks it. */
  async submit(buttonName: string | RegExp): Promise<void> {
    await this.navigateBy(() => this.page.getByRole('button', { name: buttonName, exact: typeof buttonName === 'string' }).click());
  }

  /**
   * Clicks the link with this accessible name (a plain link, or a link styled as a button, which
   * GOV.UK gives role="button"), waits for the next page and checks it.
   */
  async follow(linkName: string | RegExp, within?: string): Promise<void> {
    const scope = within ? this.page.locator(within) : this.page;
    const name = { name: linkName, exact: typeof linkName === 'string' };
    const link = scope.getByRole('link', name).or(scope.getByRole('button', name).and(scope.locator('a[href]')));
    await this.navigateBy(() => link.click());
  }

  /** Presses a key that leads to a new page (Enter on a link or in a form), and checks that page. */
  async pressToNavigate(key: string): Promise<void> {
    await this.navigateBy(() => this.page.keyboard.press(key));
  }

  /** Runs any action that ends on a new page, then checks that page. */
  async navigateBy(action: () => Promise<unknown>): Promise<void> {
    this.assertEveryPageChecked();
    const before = this.loads;
    const loaded = this.page.waitForEvent('load', { timeout: 15_000 });
    loaded.catch(() => undefined); // when the action itself fails, its error is the one to report
    await action();
    await loaded;
    if (this.loads === before) throw new Error('The action did not load a new page');
    await this.checkAccessibility();
  }

  /** Runs axe on the page as it is now; fails listing every violation. */
  async checkAccessibility(): Promise<void> {
    await this.page.waitForLoadState('load');
    const loadsNow = this.loads;
    const result = await new AxeBuilder({ page: this.page }).withTags(AXE_TAGS).analyze();
    this.checked = loadsNow;
    if (result.violations.length) {
      const lines = result.violations.map(
        (v) =>
          `- ${v.id} (${v.impact ?? 'no impact given'}): ${v.help}\n    ${v.helpUrl}\n` +
          v.nodes.map((n) => `    at ${n.target.map(String).join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`).join('\n'),
      );
      throw new AccessibilityError(`axe found ${result.violations.length} accessibility violation(s) on ${this.page.url()}:\n${lines.join('\n')}`);
    }
  }

  assertEveryPageChecked(): void {
    if (this.loads > this.checked) {
      throw new Error(`A page was loaded without an accessibility check (${this.page.url()}): navigate with visit, submit, follow or pressToNavigate`);
    }
  }

  /** What has keyboard focus now: its id, tag, accessible-ish text and whether its focus style shows. */
  async focused(): Promise<{ id: string; tag: string; text: string; focusVisible: boolean }> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { id: '', tag: 'body', text: '', focusVisible: false };
      const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent : undefined;
      // GOV.UK radios and checkboxes draw their focus ring on the label's ::before.
      const choice = el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox');
      const styled = choice && el.labels?.[0] ? el.labels[0] : el;
      const style = getComputedStyle(styled, choice ? '::before' : null);
      const box = el.getBoundingClientRect();
      const focusVisible = box.width > 1 && box.height > 1 && ((style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none');
      return {
        id: el.id,
        tag: el.tagName.toLowerCase(),
        text: (label ?? el.innerText ?? el.getAttribute('value') ?? '').replace(/\s+/g, ' ').trim(),
        focusVisible,
      };
    });
  }

  /**
   * Presses Tab until the focused element's text (or its label's) matches; fails after `max`
   * presses. Checks on the way that whatever takes focus shows that it has it.
   */
  async tabTo(match: string | RegExp, max = 40): Promise<void> {
    const seen: string[] = [];
    for (let i = 0; i < max; i++) {
      await this.page.keyboard.press('Tab');
      const f = await this.focused();
      seen.push(`${f.tag}#${f.id} "${f.text}"`);
      if (f.tag !== 'body') expect(f.focusVisible, `focus is visible on ${seen.at(-1)}`).toBe(true);
      if (typeof match === 'string' ? f.text === match : match.test(f.text)) return;
    }
    throw new Error(`Pressed Tab ${max} times without reaching ${String(match)}; focus went to:\n  ${seen.join('\n  ')}`);
  }

  /** The path of the page now showing, with its query. */
  path(): string {
    const u = new URL(this.page.url());
    return u.pathname + u.search;
  }

  /** The text of the page's one h1. */
  async heading(): Promise<string> {
    return (await this.page.getByRole('heading', { level: 1 }).innerText()).trim();
  }

  /** Visible text of the main content. */
  async mainText(): Promise<string> {
    return (await this.page.locator('main').innerText()).replace(/\s+/g, ' ');
  }

  /** Signs in with a password from the sign-in page; returns the path it lands on. */
  async signIn(email: string, password: string): Promise<string> {
    await this.visit(paths.signIn);
    await this.page.getByLabel('E-mail address').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.submit('Sign in');
    return this.path();
  }

  /** On the "Set up your security codes" page: reads the secret, enters the code. Returns the secret. */
  async setUpSecurityCodes(): Promise<string> {
    expect(await this.heading()).toBe('Set up your security codes');
    const secret = (await this.page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
    await this.page.getByLabel('Security code').fill(await totpCode(secret));
    await this.submit('Continue');
    return secret;
  }

  /** On the "Enter your security code" page: enters the code an authenticator app would show now. */
  async enterSecurityCode(secret: string): Promise<void> {
    expect(await this.heading()).toBe('Enter your security code');
    await this.page.getByLabel('Enter your security code').fill(await totpCode(secret));
    await this.submit('Continue');
  }

  async signOut(): Promise<void> {
    await this.submit('Sign out');
    expect(await this.heading()).toBe('Sign in to Jointly');
    expect(await this.mainText()).toContain('You have signed out.');
  }

  async close(): Promise<void> {
    try {
      this.assertEveryPageChecked();
    } finally {
      await this.context.close();
    }
  }
}
