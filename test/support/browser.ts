import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from '../../platform/local/chromium';
import { consoleBuildIsCurrent } from '../../platform/console/consoleBuild';
import { type CreatedTenant, type TestHub } from './hub';
import { type ConsoleUser } from './consoleUsers';

/** What a browser test file gets from `useBrowser`. */
export interface BrowserFixture {
  /** A fresh browser context (own cookies and storage) with one page, on the hub's origin. */
  newPage(hub: TestHub): Promise<Page>;
  browser(): Browser;
}

/**
 * Registers a headless Chromium (provisioned by `npm run provision`, driven by playwright-core)
 * for a test file: launched in `beforeAll`, closed with every context in `afterAll`. The console
 * must be built (`npm test` builds it before jest; a stale build would test old screens).
 */
export function useBrowser(): BrowserFixture {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (!consoleBuildIsCurrent()) throw new Error('console/dist is missing or older than console/: run `npm run console:build` first');
    const executablePath = chromiumPath();
    if (!fs.existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: run \`npm run provision\``);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });
  return {
    browser: () => browser!,
    async newPage(hub) {
      // Reduced motion: the console then skips its fades, so a check never sees a half-faded colour.
      const context = await browser!.newContext({ baseURL: hub.url, viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return page;
    },
  };
}

/** Signs a console user in through the sign-in page (then to `next`, a console path, default the dashboard) and waits for the console. */
export async function signInThroughPage(
  page: Page,
  tenant: Pick<CreatedTenant, 'slug'>,
  user: Pick<ConsoleUser, 'email' | 'password'>,
  next = '/',
): Promise<void> {
  await page.goto(`/console/sign-in?tenant=${encodeURIComponent(tenant.slug)}&next=${encodeURIComponent(next)}`);
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
}

/** An axe-core finding of impact serious or critical (what the console must have none of). */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The browser globals page.evaluate bodies below use (this Node project has no DOM types). */
interface WebStorageLike {
  length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}
interface AxeLike {
  run(
    context: unknown,
    options: unknown,
  ): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }>;
}
declare const window: { axe: AxeLike; localStorage: WebStorageLike; sessionStorage: WebStorageLike; getComputedStyle(element: unknown): { opacity: string } };
declare const document: { getAnimations(): Array<{ finished: Promise<unknown> }>; querySelectorAll(selector: string): ArrayLike<unknown> };

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2 A/AA rules) on the page as it is and returns the serious and critical
 * violations. The script is evaluated through the DevTools protocol, not added as a <script>, so
 * the console's CSP (no inline scripts) stays on while it runs.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // The pointer off the controls (hover colours are not the page's own), and no modal or
  // notification still fading in (judged at partial opacity).
  await page.mouse.move(1, 1);
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('.mantine-Modal-content, .mantine-Modal-overlay, .mantine-Notification-root')).every(
      (element) => window.getComputedStyle(element).opacity === '1',
    ),
  );
  // A transition still running (a drawer sliding in) would be measured mid-fade: wait for it to end
  // (a cancelled one, its element gone, rejects: that counts as ended).
  await page.evaluate(() =>
    Promise.race([
      Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))),
      new Promise((done) => setTimeout(done, 2_000)),
    ]),
  );
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(' ')),
      }));
  });
}

/** Everything in the page's localStorage and sessionStorage (the console keeps no secret there). */
export async function webStorage(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const entries: Record<string, string> = {};
    for (const [name, storage] of [
      ['local', window.localStorage],
      ['session', window.sessionStorage],
    ] as const) {
      for (let index = 0; index < storage.length; index += 1) {
        const key = storage.key(index)!;
        entries[`${name}:${key}`] = storage.getItem(key) ?? '';
      }
    }
    return entries;
  });
}
