import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../src/adapters/aws/client-config.js';
import type { AppSession } from '../../src/core/app/app-session.js';
import type { Cloud } from '../fixtures/cloud.js';
import { startApp, startAppPeers, type AppHarness, type AppPeers } from '../support/app-harness.js';
import { ensureAppBuilt } from './support/build-app.js';
import { CHROMIUM, canRunChromium as canRun, ROOT, SHOTS } from './support/component-page.js';
import { openPopover, type PopoverPage } from './support/popover-page.js';
import { publicKeyFromPrivate, type Sshd } from '../fixtures/sshd.js';

// The built popover (out/renderer) in Debian's Chromium, wired through the real IPC router and
// app controller to the real core and AWS adapters, against moto + the cloud proxy + a real sshd.
// Only the OS surfaces Chromium cannot stand in for are recorded instead: clipboard, notifications,
// the terminal launcher (tested under Xvfb in test/integration) and the login item.
const run = promisify(execFile);
if (!canRun) console.log(`popover e2e: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let cloud: Cloud;
let sshd: Sshd;
let app: AppHarness;
let controller: AppSession;
let popover: PopoverPage;
let page: Page;
let home: string;
let peers: AppPeers;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** The page's background colour as the browser computed it. */
async function background(): Promise<string> {
  return page.evaluate(() => {
    const view = globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string }; document: { documentElement: unknown } };
    return view.getComputedStyle(view.document.documentElement).backgroundColor;
  });
}

/**
 * The same state in the light theme too (the popover follows the system's), then back to dark: a
 * screenshot `NAME-light.png`, taken only once the light colours are in force.
 */
async function shotLight(name: string): Promise<void> {
  const dark = await background();
  await page.emulateMedia({ colorScheme: 'light' });
  try {
    await expect.poll(background).not.toBe(dark);
    await page.screenshot({ path: join(SHOTS, `${name}-light.png`) });
  } finally {
    await page.emulateMedia({ colorScheme: 'dark' });
  }
  await expect.poll(background).toBe(dark);
}

async function phase(label: string, timeout = 60_000): Promise<void> {
  await page.getByTestId('phase').filter({ hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).waitFor({ timeout });
}

const VIEWPORT = { width: 380, height: 640 };

/**
 * The primary actions (Start/Stop, Open terminal, VS Code, Jupyter, Copy) each lie wholly inside
 * the first viewport at the popover's default size, without scrolling: the work comes first.
 */
async function primaryActionsInFirstViewport(): Promise<void> {
  const buttons = page.getByTestId('primary-actions').getByRole('button').or(page.getByRole('region', { name: 'SSH command' }).getByRole('button'));
  const boxes = await Promise.all((await buttons.all()).map(async (button) => ({ name: await button.textContent(), box: await button.boundingBox() })));
  expect(boxes.length).toBeGreaterThan(0);
  const outside = boxes.filter(({ box }) => !box || box.x < 0 || box.y < 0 || box.x + box.width > VIEWPORT.width || box.y + box.height > VIEWPORT.height);
  expect(outside).toEqual([]);
}

/** The words (space-separated tokens) of the shown ssh command that the box broke across two lines. */
async function wordsBrokenInSshBox(): Promise<string[]> {
  return page.getByTestId('ssh-command').evaluate((code) => {
    interface Rect { top: number }
    interface Node { nodeType: number; textContent: string | null; childNodes: ArrayLike<Node> }
    interface DomRange { setStart(node: Node, at: number): void; setEnd(node: Node, at: number): void; getClientRects(): ArrayLike<Rect> }
    const document = (code as unknown as { ownerDocument: { createRange(): DomRange } }).ownerDocument;
    const broken: string[] = [];
    // Every text node of the box, each word in it measured where it is drawn.
    const walk = (node: Node): void => {
      if (node.nodeType !== 3) {
        for (const child of Array.from(node.childNodes)) walk(child);
        return;
      }
      let at = 0;
      for (const word of (node.textContent ?? '').split(' ')) {
        if (word !== '') {
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + word.length);
          if (new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size > 1) broken.push(word);
        }
        at += word.length + 1;
      }
    };
    walk(code as unknown as Node);
    return broken;
  });
}

/** Waits until the focused element is the button labelled `label`; fails showing what has focus instead. */
async function focused(label: string): Promise<void> {
  await expect.poll(() => page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { tagName: string; textContent: string } | null } }).document.activeElement;
    return active ? `${active.tagName}: ${active.tagName === 'BODY' ? '(nothing focused)' : active.textContent}` : '(none)';
  }), { timeout: 5_000 }).toBe(`BUTTON: ${label}`);
}

beforeAll(async () => {
  if (!canRun) return;
  // The renderer as shipped: electron-vite's production build.
  await ensureAppBuilt(ROOT);
  await mkdir(SHOTS, { recursive: true });

  peers = await startAppPeers('e2e');
  ({ cloud, sshd, dir: home } = peers);
  // EC2 takes its time: hold the transitional states long enough to see (and photograph) them.
  cloud.proxy.setHold({ pendingMs: 2_500, stoppingMs: 2_000, shuttingDownMs: 1_000 });
  cloud.proxy.setQuota('L-DB2E81BA', 0);
  // No pricing:GetProducts for this user: prices come from CloudRig's bundled table, labelled so.
  cloud.proxy.setPricingAvailable(false);

  // Clipboard, notifications, the terminal launcher and the login item are recorded in app.record.
  app = startApp({ home: peers.home, env: peers.env, terminals: ['xterm'], tickMs: 1_000, start: false });
  controller = app.session;
  popover = await openPopover(controller, VIEWPORT);
  page = popover.page;
}, 120_000);

afterAll(async () => {
  await popover?.close();
  await app?.dispose();
  await peers?.close();
});

describe.runIf(canRun)('the popover in Chromium, against moto + proxy + sshd', () => {
  it('keeps the renderer bundle within 150 KB gzip', async () => {
    const assets = join(ROOT, 'out', 'renderer', 'assets');
    const files = (await readdir(assets)).filter((file) => /\.(js|css)$/.test(file));
    const bytes = (await Promise.all(files.map((file) => readFile(join(assets, file))))).reduce((sum, data) => sum + gzipSync(data).length, 0);
    expect(bytes).toBeLessThanOrEqual(150 * 1024);
  });

  it('runs the first-run checks and files the missing vCPU quota after confirmation', async () => {
    await page.getByRole('heading', { name: 'Set up your GPU workstation' }).waitFor();
    await page.getByText('Signed in as arn:aws:').waitFor({ timeout: 30_000 });
    await page.getByText('"Running On-Demand G and VT instances" in us-east-1 allows 0 vCPUs; a g4dn.xlarge needs 4.').waitFor();
    await page.getByRole('combobox', { name: 'Instance type' }).waitFor();
    await shot('first-run');
    await shotLight('first-run');

    await page.getByRole('button', { name: 'Request 4 vCPUs…' }).click();
    await page.getByRole('alertdialog', { name: 'File a quota increase with AWS?' }).waitFor();
    await shot('quota-request');
    expect(cloud.proxy.quotaRequests()).toEqual([]);
    await page.getByRole('button', { name: 'File the request' }).click();
    await page.getByText('A request for 4 vCPUs is open (PENDING).', { exact: false }).waitFor();
    expect(cloud.proxy.quotaRequests()).toEqual([expect.objectContaining({ QuotaCode: 'L-DB2E81BA', DesiredValue: 4 })]);
  });

  it('lists GPU types with GPU, memory, vCPUs, RAM and price', async () => {
    const option = page.getByRole('combobox', { name: 'Instance type' }).locator('option', { hasText: 'g4dn.xlarge:' });
    await expect.poll(() => option.textContent(), { timeout: 10_000 }).toBe('g4dn.xlarge: 1× NVIDIA T4 (16 GiB), 4 vCPU, 16 GiB RAM, $0.53/h');
  });

  it('creates the workstation, then launches it: progress, ready, and the ssh command copied', async () => {
    await page.getByText('Advanced: ssh and network').click();
    await page.getByLabel('SSH user').fill(sshd.user);
    await page.getByLabel('SSH host override').fill(sshd.host);
    await page.getByLabel('SSH port').fill(String(sshd.port));
    await page.getByRole('button', { name: 'Create workstation' }).click();
    await phase('No instance');
    await page.getByRole('heading', { name: 'gpu' }).waitFor();
    await page.getByTestId('notice').filter({ hasText: 'Saved gpu' }).waitFor();
    // Nothing spent yet: no empty month chart, no "This month $0.00 · projected $0.00".
    await expect.poll(() => page.getByTestId('session').textContent()).toBe('—');
    expect(await page.getByTestId('spend-chart').count()).toBe(0);
    expect(await page.getByText('projected $0.00').count()).toBe(0);
    await primaryActionsInFirstViewport();
    await shot('created');

    // The workstation's ssh host is the sshd fixture, which admits the key CloudRig just created.
    const keys = join(home, 'home', 'keys');
    const keyFile = (await readdir(keys)).find((file) => file.startsWith('cloudrig-gpu'));
    expect(keyFile).toBeDefined();
    await sshd.setAuthorizedKey(publicKeyFromPrivate(await readFile(join(keys, keyFile ?? ''), 'utf8')));
    await sshd.start();

    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('list', { name: 'Progress' }).waitFor();
    // "Saved gpu" was the last operation's news; starting clears it rather than letting it linger.
    expect(await page.getByTestId('notice').textContent()).toBe('');
    await phase('Starting…', 15_000);
    await primaryActionsInFirstViewport();
    await shot('starting');
    await phase('Ready for ssh');
    await expect.poll(() => page.getByRole('list', { name: 'Progress' }).count(), { timeout: 10_000 }).toBe(0);
    // The rate of a g4dn.xlarge in us-east-1 from the bundled table (0.526), saying so.
    await expect.poll(() => page.getByTestId('hourly').textContent(), { timeout: 10_000 }).toBe('$0.53/h');
    await expect.poll(() => page.getByTestId('price-source').textContent(), { timeout: 10_000 }).toBe('bundled price');
    await expect.poll(() => page.locator('.meter > div', { has: page.getByTestId('hourly') }).getAttribute('title'), { timeout: 10_000 })
      .toBe("$0.526 per hour on demand, from CloudRig's bundled price table (AWS's price list was not available)");
    // This session as the cost meter counts it: a start bills at least a minute ($0.526 / 60).
    await page.getByTestId('session').filter({ hasText: /^\$0\.01$/ }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('month').textContent(), { timeout: 10_000 }).toMatch(/^\$0\.0\d$/);
    await expect.poll(() => page.getByTestId('auto-stop').textContent(), { timeout: 10_000 }).toMatch(/^(Stops itself after 60 idle min|Idle \d+ min; stops itself at 60 min)$/);
    await primaryActionsInFirstViewport();
    // The whole `ssh -i … -o …` command (no Include here) wraps between words, never inside one.
    expect(await page.getByTestId('ssh-command').textContent()).toMatch(/^ssh -i .+ -o /);
    expect(await wordsBrokenInSshBox()).toEqual([]);
    // Terminate is secondary and apart: not among the primary actions, smaller than Stop, well below it.
    const terminate = page.getByRole('button', { name: 'Terminate…' });
    expect(await page.getByTestId('primary-actions').getByRole('button', { name: 'Terminate…' }).count()).toBe(0);
    const stopBox = await page.getByRole('button', { name: 'Stop' }).boundingBox();
    const terminateBox = await terminate.boundingBox();
    expect(terminateBox!.height).toBeLessThan(stopBox!.height);
    expect(terminateBox!.y).toBeGreaterThan(stopBox!.y + stopBox!.height + 100);
    await shot('ready');
    await shotLight('ready');
    await expect.poll(() => app.record.notifications.map((notification) => notification.title), { timeout: 10_000 }).toContain('gpu is ready for ssh');

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied the ssh command').waitFor();
    const shown = await page.getByTestId('ssh-command').textContent();
    expect(app.record.clipboard).toEqual([shown]);
    // The copied command is the real thing: run it.
    const { stdout } = await run('sh', ['-c', `${app.record.clipboard[0]} -o BatchMode=yes echo copied-command-works`], { timeout: 20_000 });
    expect(stdout.trim()).toBe('copied-command-works');
    // The notice is a moment's (4 s), so the next screenshots show the popover at rest.
    await page.getByText('Copied the ssh command').waitFor({ state: 'detached', timeout: 15_000 });
  }, 120_000);

  it('stops and starts the same instance again', async () => {
    const instanceId = await page.locator('.facts').textContent();
    await page.getByRole('button', { name: 'Stop' }).click();
    await phase('Stopping…', 15_000);
    await primaryActionsInFirstViewport();
    await shot('stopping');
    await phase('Stopped');
    await expect.poll(() => page.getByTestId('session').textContent(), { timeout: 10_000 }).toBe('—');
    // What still bills while stopped, looked up in AWS once it came to rest: the root volume.
    const kept = page.getByTestId('still-costing');
    await kept.getByText(/^Volume vol-\w+ \(100 GiB gp3\)$/).waitFor({ timeout: 15_000 });
    await expect.poll(() => kept.getByRole('heading').textContent(), { timeout: 10_000 }).toMatch(/^Still costing you \$\d+\.\d\d\/month$/);
    await primaryActionsInFirstViewport();
    await shot('stopped');
    await shotLight('stopped');
    await expect.poll(() => app.record.notifications.map((notification) => notification.title), { timeout: 10_000 }).toContain('gpu stopped');

    await page.getByRole('button', { name: 'Start' }).click();
    await phase('Ready for ssh');
    await expect.poll(() => page.locator('.facts').textContent(), { timeout: 10_000 }).toBe(instanceId);
  }, 120_000);

  it('reminds when the session budget is reached, offering Stop now and Snooze, and Snooze keeps the instance awake', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Reminders and budget' }).waitFor();
    await expect.poll(() => page.getByLabel('Remind after (hours running)').inputValue(), { timeout: 10_000 }).toBe('2');
    await expect.poll(() => page.getByLabel('Daily at (empty: never)').inputValue(), { timeout: 10_000 }).toBe('23:00');
    await expect.poll(() => page.getByLabel('Idle minutes before it stops').inputValue(), { timeout: 10_000 }).toBe('60');
    // Half a cent: less than the minute a start bills at least.
    await page.getByLabel('Per-session budget ($)').fill('0.005');
    await page.getByText('Stop itself when idle').evaluate((label) => (label as unknown as { scrollIntoView(options: object): void }).scrollIntoView({ block: 'start' }));
    await shot('reminder-settings');
    // One Save for the whole screen (workstation and reminders); it saves and goes back.
    const saves = page.getByRole('button', { name: /^Save/ });
    expect(await saves.allTextContents()).toEqual(['Save']);
    await saves.click();
    await page.getByRole('heading', { name: 'gpu' }).waitFor();
    const file = JSON.parse(await readFile(join(home, 'home', 'settings.json'), 'utf8')) as { reminders: Record<string, unknown> };
    expect(file.reminders).toMatchObject({ afterHours: 2, dailyAt: '23:00', sessionBudgetUsd: 0.005, autoStopAtBudget: false });

    // This session already cost more than that: the reminder is in the popover, as a click on its notification shows it.
    const reminder = page.getByRole('alertdialog', { name: 'gpu: session budget reached' });
    await reminder.waitFor({ timeout: 15_000 });
    await expect.poll(() => app.record.notifications.find((n) => n.title === 'gpu: session budget reached'), { timeout: 10_000 }).toMatchObject({
      kind: 'reminder', action: 'show-reminder', buttons: [{ id: 'stop', label: 'Stop now' }, { id: 'snooze', label: 'Snooze 1 h' }],
    });
    await focused('Stop now');
    // The cap reads as it was typed: $0.005, not "$0.01".
    expect(await reminder.innerText()).toContain('your cap is $0.005.');
    await primaryActionsInFirstViewport();
    await shot('reminder');

    const before = Math.floor(Date.now() / 1000);
    await reminder.getByRole('button', { name: 'Snooze 1 h' }).click();
    await page.getByText('Snoozed for 1 h: no reminders, and gpu stays up').waitFor({ timeout: 15_000 });
    await reminder.waitFor({ state: 'detached' });
    const until = Number((await readFile(join(home, 'instance-keepalive'), 'utf8')).trim());
    expect(until).toBeGreaterThanOrEqual(before + 3_600);
    expect(until).toBeLessThan(before + 3_600 + 60);
    await phase('Ready for ssh', 5_000);
    await page.getByText('Snoozed for 1 h: no reminders, and gpu stays up').waitFor({ state: 'detached', timeout: 10_000 });

    // Back to no budget, so the rest of the run (and its screenshots) shows the defaults.
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Per-session budget ($)').fill('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'gpu' }).waitFor();
    await expect.poll(async () => (JSON.parse(await readFile(join(home, 'home', 'settings.json'), 'utf8')) as { reminders: Record<string, unknown> }).reminders.sessionBudgetUsd).toBeNull();
  }, 120_000);

  it('terminates only after confirmation, saving an image first', async () => {
    await page.getByRole('button', { name: 'Terminate…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Terminate gpu?' });
    await dialog.waitFor();
    // Escape backs out without terminating.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await phase('Ready for ssh', 5_000);

    await page.getByRole('button', { name: 'Terminate…' }).click();
    await dialog.waitFor();
    await focused('Save image, then terminate');
    await shot('confirm-terminate');
    await page.getByRole('button', { name: 'Save image, then terminate' }).click();
    await page.getByTestId('phase').filter({ hasText: /^(Saving image…|Terminating…)$/ }).waitFor({ timeout: 30_000 });
    await primaryActionsInFirstViewport();
    await shot('terminating');
    await phase('No instance');
    await page.getByRole('button', { name: 'Launch' }).waitFor();
    // The saved image outlives the instance, and so does its cost: the popover says so once it has looked.
    const stillCosting = page.getByRole('region', { name: /^Still costing you/ });
    await stillCosting.getByText(/^Image cloudrig-gpu-i-/).waitFor({ timeout: 30_000 });
    await primaryActionsInFirstViewport();
    await shot('terminated');

    const ec2 = new EC2Client(clientConfig('EC2', 'us-east-1', { env: peers.env }));
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:cloudrig:workstation', Values: ['gpu'] }] }));
    ec2.destroy();
    expect(images.Images?.map((image) => image.State)).toEqual(['available']);
    await expect.poll(() => app.record.notifications.map((notification) => notification.title), { timeout: 10_000 }).toContain('gpu terminated');
  }, 120_000);

  it('shows settings without secrets, refusing typed keys without a keyring', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByText('No keyring (GNOME Keyring or KWallet) is running', { exact: false }).waitFor();
    await expect.poll(() => page.getByLabel('Name').inputValue(), { timeout: 10_000 }).toBe('gpu');
    await shot('settings');
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('heading', { name: 'gpu' }).waitFor();
  });

  it('refuses IPC from a frame that is not the popover\'s top frame', async () => {
    const answer = await page.evaluate(async () => {
      const document = (globalThis as unknown as { document: { createElement(tag: string): { src: string; contentWindow: unknown; onload: () => void }; body: { append(node: unknown): void } } }).document;
      const frame = document.createElement('iframe');
      frame.src = 'about:blank';
      await new Promise<void>((resolveLoad) => {
        frame.onload = () => resolveLoad();
        document.body.append(frame);
      });
      const child = frame.contentWindow as { cloudrig: { start(): Promise<unknown> } };
      return child.cloudrig.start();
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'UntrustedSender' } });
  });
});
