import { mkdirSync } from "node:fs";
import path from "node:path";

import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { focusIsVisible, seriousViolations, tabTo, type Violation } from "./support/accessibility";
import {
  artifactsDir,
  launchChromium,
  startFrontend,
  startStack,
  type Frontend,
  type Stack,
} from "./support/harness.mjs";

const SERVICE_UNAVAILABLE = "The service is unavailable, try again.";
const screenshotsDir = path.join(artifactsDir, "screenshots");
const logDir = path.join(artifactsDir, "e2e-logs", new Date().toISOString().replace(/[:.]/g, "-"));
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const run = Date.now().toString(36);
const ada = { name: "Ada Lovelace", email: `ada-${run}@example.com`, password: "analytical-engine-1843" };
const bob = { name: "Bob Builder", email: `bob-${run}@example.com`, password: "can-we-fix-it-yes" };

let stack: Stack;
let frontend: Frontend;
let browser: Browser;
let desktop: BrowserContext;
let page: Page;
/** Errors the pages logged (console errors and uncaught exceptions), e.g. hydration mismatches. */
const browserErrors: string[] = [];

async function newContext(viewport: { width: number; height: number }, mobile = false): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: frontend.url,
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: mobile ? 2 : 1,
    // Not the server's UTC/en-US: server-rendered dates must not break hydration.
    timezoneId: "America/New_York",
    locale: "en-GB",
  });
  context.on("console", (message) => {
    // Failed requests during the outage test are expected; everything else logged as an error is not.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      browserErrors.push(message.text());
    }
  });
  context.on("weberror", (error) => browserErrors.push(String(error.error())));
  return context;
}

async function screenshot(target: Page, name: string): Promise<void> {
  await target.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true });
}

function taskItem(target: Page, title: string | RegExp): Locator {
  return target.getByTestId("task-item").filter({ hasText: title });
}

async function signUp(target: Page, user: typeof ada): Promise<void> {
  await target.goto("/signup");
  await target.getByLabel("Name").fill(user.name);
  await target.getByLabel("Email").fill(user.email);
  await target.getByLabel("Password").fill(user.password);
  await target.getByRole("button", { name: "Create account" }).click();
  await target.waitForURL("**/tasks");
}

async function signIn(target: Page, user: typeof ada): Promise<void> {
  await target.goto("/signin");
  await target.getByLabel("Email").fill(user.email);
  await target.getByLabel("Password").fill(user.password);
  await target.getByRole("button", { name: "Sign in" }).click();
  await target.waitForURL("**/tasks");
}

async function addTask(target: Page, title: string, description = ""): Promise<void> {
  await target.getByLabel("Title").first().fill(title);
  await target.getByLabel("Description (optional)").first().fill(description);
  await target.getByRole("button", { name: "Add task" }).click();
  await taskItem(target, title).waitFor();
}

async function sendChat(target: Page, message: string): Promise<void> {
  await target.getByLabel("Message the assistant").fill(message);
  await target.getByRole("button", { name: "Send" }).click();
}

beforeAll(async () => {
  mkdirSync(screenshotsDir, { recursive: true });
  stack = await startStack({ logDir });
  frontend = await startFrontend({ backendUrl: stack.urls.backend_url, logFile: path.join(logDir, "frontend.log") });
  browser = await launchChromium();
  desktop = await newContext(DESKTOP);
  page = await desktop.newPage();
});

afterAll(async () => {
  await browser?.close();
  await frontend?.stop();
  await stack?.stop();
});

describe("the web app against the real stack", () => {
  it("sends a visitor to sign-in and explains what a valid sign-up needs", async () => {
    await page.goto("/");
    await page.waitForURL("**/signin");
    await expect(page.getByRole("heading", { name: "Sign in" }).isVisible()).resolves.toBe(true);
    await screenshot(page, "desktop-signin");

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL("**/signup");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Enter your name.").waitFor();
    await page.getByText("Enter a valid email address, like name@example.com.").waitFor();
    await page.getByText("Use at least 8 characters.").waitFor();
    await screenshot(page, "desktop-signup-errors");
  });

  it("signs up and shows an empty task list", async () => {
    await signUp(page, ada);
    await page.getByText("No tasks yet. Add one above, or ask the assistant.").waitFor();
    await expect(page.getByTestId("user-name").textContent()).resolves.toBe(ada.name);
    await screenshot(page, "desktop-tasks-empty");
  });

  it("validates a task before sending it", async () => {
    await page.getByRole("button", { name: "Add task" }).click();
    await page.getByText("Enter a title.").waitFor();
    await page.getByLabel("Title").first().fill("x".repeat(201));
    await page.getByRole("button", { name: "Add task" }).click();
    await page.getByText("Keep the title to 200 characters or fewer.").waitFor();
    await expect(page.getByLabel("Title").first().inputValue()).resolves.toHaveLength(201);
  });

  it("adds, edits, completes, filters and deletes tasks", async () => {
    await addTask(page, "Buy milk", "Two litres");
    await addTask(page, "Walk the dog");

    // Keyboard only: Enter in the title field submits the form.
    await page.getByLabel("Title").first().fill("Water the plants");
    await page.getByLabel("Title").first().press("Enter");
    await taskItem(page, "Water the plants").waitFor();

    const milk = taskItem(page, "Buy milk");
    await milk.getByRole("button", { name: "Edit Buy milk" }).click();
    const editor = page.getByRole("listitem", { name: "Editing Buy milk" });
    await editor.getByLabel("Title").fill("Buy oat milk");
    await editor.getByRole("button", { name: "Save" }).click();
    const oatMilk = taskItem(page, "Buy oat milk");
    await oatMilk.waitFor();
    await expect(oatMilk.textContent()).resolves.toContain("Two litres");

    await oatMilk.getByRole("checkbox").check();
    await page.waitForSelector('[data-testid="task-item"][data-completed="true"]');
    await page.getByRole("button", { name: "Completed", exact: true }).click();
    await page.getByRole("list", { name: "Completed tasks" }).waitFor();
    await expect(page.getByTestId("task-item").allTextContents()).resolves.toEqual([
      expect.stringContaining("Buy oat milk"),
    ]);
    await page.getByRole("button", { name: "Pending", exact: true }).click();
    await page.getByRole("list", { name: "Pending tasks" }).waitFor();
    await expect(taskItem(page, "Buy oat milk").count()).resolves.toBe(0);
    await expect(taskItem(page, "Walk the dog").count()).resolves.toBe(1);
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.getByRole("list", { name: "All tasks" }).waitFor();

    const plants = taskItem(page, "Water the plants");
    await plants.getByRole("button", { name: "Delete Water the plants" }).click();
    await plants.getByRole("button", { name: "Keep it" }).click();
    await expect(plants.count()).resolves.toBe(1);
    await plants.getByRole("button", { name: "Delete Water the plants" }).click();
    await plants.getByRole("alertdialog").waitFor();
    await screenshot(page, "desktop-tasks-confirm-delete");
    await plants.getByRole("button", { name: "Delete task" }).click();
    await plants.waitFor({ state: "detached" });
    await expect(page.getByTestId("task-item").count()).resolves.toBe(2);
  });

  it("adds a task through the assistant and the list updates by itself", async () => {
    await sendChat(page, "Add a task to buy groceries");
    const reply = page.getByTestId("chat-assistant").last();
    await reply.waitFor();
    await reply.getByTestId("tool-call").filter({ hasText: "add_task" }).waitFor();
    await taskItem(page, /buy groceries/i).waitFor({ timeout: 10_000 });
    await screenshot(page, "desktop-tasks-and-chat");

    await sendChat(page, "Show my pending tasks");
    await page.getByTestId("chat-assistant").nth(1).waitFor();
    await expect(page.getByTestId("chat-user").count()).resolves.toBe(2);
  });

  it("starts a new conversation and reopens the earlier one from the history", async () => {
    await page.getByRole("button", { name: "New chat" }).click();
    await page.getByText("Ask me to add, list, complete, update or delete tasks.").waitFor();
    const picker = page.getByLabel("Earlier conversations");
    const options = await picker.locator("option").allTextContents();
    expect(options.length).toBeGreaterThanOrEqual(2);
    const earlier = await picker.locator("option").nth(1).getAttribute("value");
    await picker.selectOption(earlier ?? "");
    await page.getByTestId("chat-user").filter({ hasText: "Add a task to buy groceries" }).waitFor();
    await expect(page.getByTestId("chat-assistant").count()).resolves.toBe(2);
  });

  it("has no serious or critical accessibility violation on any page, desktop and phone (axe-core, WCAG 2 A/AA)", async () => {
    const audits: Record<string, Violation[]> = {};
    for (const [device, viewport, mobile] of [
      ["desktop", DESKTOP, false],
      ["phone", PHONE, true],
    ] as const) {
      const context = await newContext(viewport, mobile);
      try {
        const visitor = await context.newPage();
        await visitor.goto("/signin");
        await visitor.getByRole("heading", { name: "Sign in" }).waitFor();
        audits[`${device}: sign-in`] = await seriousViolations(visitor);
        await visitor.goto("/signup");
        await visitor.getByRole("button", { name: "Create account" }).click();
        await visitor.getByText("Enter your name.").waitFor();
        audits[`${device}: sign-up, with errors`] = await seriousViolations(visitor);
        await visitor.goto("/no-such-page");
        audits[`${device}: page not found`] = await seriousViolations(visitor);

        await signIn(visitor, ada);
        await taskItem(visitor, "Walk the dog").waitFor();
        audits[`${device}: tasks`] = await seriousViolations(visitor);
        const dog = taskItem(visitor, "Walk the dog");
        await dog.getByRole("button", { name: "Delete Walk the dog" }).click();
        await dog.getByRole("alertdialog").waitFor();
        audits[`${device}: tasks, confirming a delete`] = await seriousViolations(visitor);
        await dog.getByRole("button", { name: "Keep it" }).click();
        await dog.getByRole("button", { name: "Edit Walk the dog" }).click();
        audits[`${device}: tasks, editing one`] = await seriousViolations(visitor);
        await visitor.getByRole("button", { name: "Cancel" }).click();

        if (mobile) await visitor.getByRole("button", { name: "Assistant" }).click();
        await sendChat(visitor, "Show me everything");
        await visitor.getByTestId("chat-assistant").waitFor();
        await visitor.getByLabel("Message the assistant").fill("x".repeat(4001));
        await visitor.getByRole("button", { name: "Send" }).click();
        await visitor.getByRole("alert").first().waitFor();
        audits[`${device}: chat, with replies and an error`] = await seriousViolations(visitor);
      } finally {
        await context.close();
      }
    }
    expect(audits).toEqual(Object.fromEntries(Object.keys(audits).map((page) => [page, []])));
  });

  it("can be used with the keyboard alone: the task list and the chat, with the focus always visible", async () => {
    const context = await newContext(DESKTOP);
    try {
      const user = await context.newPage();
      await signIn(user, ada);
      await taskItem(user, "Walk the dog").waitFor();
      const reach = async (target: Locator) => {
        expect(await tabTo(user, target)).toBe(true);
        expect(await focusIsVisible(user)).toBe(true);
      };

      await reach(user.getByLabel("Title").first());
      await user.keyboard.type("Read a book");
      await user.keyboard.press("Enter");
      const book = taskItem(user, "Read a book");
      await book.waitFor();

      const checkbox = book.getByRole("checkbox");
      await reach(checkbox);
      await user.keyboard.press("Space");
      await user.locator('[data-testid="task-item"][data-completed="true"]', { hasText: "Read a book" }).waitFor();
      await user.waitForLoadState("networkidle");
      // The refreshed list keeps the focus where it was.
      await expect(checkbox.evaluate((element) => element === document.activeElement)).resolves.toBe(true);

      await reach(book.getByRole("button", { name: "Edit Read a book" }));
      await user.keyboard.press("Enter");
      const editor = user.getByRole("listitem", { name: "Editing Read a book" });
      await expect(editor.getByLabel("Title").evaluate((element) => element === document.activeElement)).resolves.toBe(true);
      await user.keyboard.press("ControlOrMeta+a");
      await user.keyboard.type("Read two books");
      await user.keyboard.press("Enter");
      const books = taskItem(user, "Read two books");
      await books.waitFor();

      await reach(user.getByRole("button", { name: "Completed", exact: true }));
      await user.keyboard.press("Enter");
      await user.getByRole("list", { name: "Completed tasks" }).waitFor();
      await user.keyboard.press("Shift+Tab");
      await user.keyboard.press("Shift+Tab");
      await user.keyboard.press("Enter");
      await user.getByRole("list", { name: "All tasks" }).waitFor();

      await reach(books.getByRole("button", { name: "Delete Read two books" }));
      await user.keyboard.press("Enter");
      const keep = books.getByRole("button", { name: "Keep it" });
      await expect(keep.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
      expect(await focusIsVisible(user)).toBe(true);
      await user.keyboard.press("Tab");
      expect(await focusIsVisible(user)).toBe(true);
      await user.keyboard.press("Enter");
      await books.waitFor({ state: "detached" });

      const composer = user.getByLabel("Message the assistant");
      await reach(composer);
      await user.keyboard.type("What's pending?");
      await user.keyboard.press("Enter");
      await user.getByTestId("chat-assistant").filter({ hasText: "pending tasks" }).waitFor();
      await expect(composer.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
      await reach(user.getByRole("button", { name: "New chat" }));
    } finally {
      await context.close();
    }
  });

  it("keeps the session across a reload, with the list in the server-rendered page", async () => {
    await page.reload();
    expect(new URL(page.url()).pathname).toBe("/tasks");
    await taskItem(page, "Walk the dog").waitFor();
    const html = await page.evaluate(async () => (await fetch("/tasks")).text());
    expect(html).toContain("Walk the dog");
    expect(html).toContain(ada.name);
  });

  it("signs out, signs back in, and the tasks are still there", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin");
    await page.goto("/tasks");
    await page.waitForURL("**/signin");

    await page.getByLabel("Email").fill(ada.email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("That email and password do not match an account.").waitFor();

    await signIn(page, ada);
    await taskItem(page, "Buy oat milk").waitFor();
    await taskItem(page, "Walk the dog").waitFor();
    await taskItem(page, /buy groceries/i).waitFor();
  });

  it("does not show one person's tasks to another", async () => {
    const adaTasks = (await page.evaluate(async () => (await fetch("/api/tasks")).json())) as { id: number }[];
    expect(adaTasks.length).toBe(3);

    const other = await newContext(DESKTOP);
    try {
      const bobPage = await other.newPage();
      await signUp(bobPage, bob);
      await bobPage.getByText("No tasks yet. Add one above, or ask the assistant.").waitFor();
      const status = await bobPage.evaluate(
        async (id) => (await fetch(`/api/tasks/${id}`)).status,
        adaTasks[0]!.id,
      );
      expect(status).toBe(404);
      await sendChat(bobPage, "Show my tasks");
      await bobPage.getByTestId("chat-assistant").waitFor();
      const answer = await bobPage.getByTestId("chat-assistant").textContent();
      expect(answer).not.toMatch(/oat milk|walk the dog/i);
    } finally {
      await other.close();
    }
  });

  it("works on a phone-sized screen", async () => {
    const phone = await newContext(PHONE, true);
    try {
      const phonePage = await phone.newPage();
      await phonePage.goto("/signin");
      await screenshot(phonePage, "phone-signin");
      await signIn(phonePage, ada);
      await taskItem(phonePage, "Walk the dog").waitFor();
      await expect(phonePage.getByRole("heading", { name: "Assistant" }).isVisible()).resolves.toBe(false);
      const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(phonePage, "phone-tasks");

      await phonePage.getByRole("button", { name: "Assistant" }).click();
      await expect(phonePage.getByRole("heading", { name: "Assistant" }).isVisible()).resolves.toBe(true);
      await sendChat(phonePage, "Add a task to call the dentist");
      await phonePage.getByTestId("tool-call").filter({ hasText: "add_task" }).waitFor();
      await screenshot(phonePage, "phone-chat");
      await phonePage.getByRole("button", { name: "Tasks" }).click();
      await taskItem(phonePage, /call the dentist/i).waitFor();
    } finally {
      await phone.close();
    }
  });

  it("says the service is unavailable during a backend outage, keeps what was typed, and recovers", async () => {
    await page.reload();
    await taskItem(page, "Walk the dog").waitFor();
    await stack.command("stop backend");
    try {
      await page.getByRole("button", { name: "Pending", exact: true }).click();
      await page.getByRole("alert").filter({ hasText: SERVICE_UNAVAILABLE }).first().waitFor();

      await page.getByLabel("Title").first().fill("Call the plumber");
      await page.getByRole("button", { name: "Add task" }).click();
      await page.getByRole("alert").filter({ hasText: SERVICE_UNAVAILABLE }).nth(1).waitFor();
      await expect(page.getByLabel("Title").first().inputValue()).resolves.toBe("Call the plumber");

      await sendChat(page, "Add a task to fix the sink");
      await page.getByRole("alert").filter({ hasText: SERVICE_UNAVAILABLE }).nth(2).waitFor();
      await expect(page.getByLabel("Message the assistant").inputValue()).resolves.toBe("Add a task to fix the sink");
      await screenshot(page, "desktop-backend-outage");
    } finally {
      await stack.command("start backend");
    }

    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("list", { name: "Pending tasks" }).waitFor();
    await page.getByRole("button", { name: "All", exact: true }).click();
    await page.getByRole("button", { name: "Add task" }).click();
    await taskItem(page, "Call the plumber").waitFor();
    await expect(page.getByText(SERVICE_UNAVAILABLE).count()).resolves.toBe(1); // only the chat's, until dismissed
    await page.getByRole("button", { name: "Send" }).click();
    await taskItem(page, /fix the sink/i).waitFor({ timeout: 10_000 });
    await expect(page.getByText(SERVICE_UNAVAILABLE).count()).resolves.toBe(0);
  });

  it("sends someone whose session is no longer valid to sign-in", async () => {
    const forged = await newContext(DESKTOP);
    try {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const claims = { sub: "00000000-0000-4000-8000-000000000000", exp: Math.floor(Date.now() / 1000) + 3600 };
      const token = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}.${encode({ forged: true })}`;
      await forged.addCookies([{ name: "todo_session", value: token, url: frontend.url }]);
      const forgedPage = await forged.newPage();
      await forgedPage.goto("/tasks");
      await forgedPage.waitForURL("**/signin?reason=expired");
      await forgedPage.getByText("Your session has ended. Please sign in again.").waitFor();
      const cookies = await forged.cookies();
      expect(cookies.find((cookie) => cookie.name === "todo_session")).toBeUndefined();

      const expiredClaims = { ...claims, exp: Math.floor(Date.now() / 1000) - 60 };
      const expired = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(expiredClaims)}.${encode({})}`;
      await forged.addCookies([{ name: "todo_session", value: expired, url: frontend.url }]);
      await forgedPage.goto("/tasks");
      await forgedPage.waitForURL("**/signin?reason=expired");
    } finally {
      await forged.close();
    }
  });

  it("logged no errors in the browser (no hydration mismatch, no uncaught exception)", () => {
    expect(browserErrors).toEqual([]);
  });

  it("shuts down gracefully on SIGTERM", async () => {
    const result = await frontend.stop();
    expect(result.code === 143 || result.code === 0 || result.signal === "SIGTERM").toBe(true);
    expect(result.ms).toBeLessThan(10_000);
  });
});
