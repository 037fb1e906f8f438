import axe from "axe-core";
import type { Locator, Page } from "playwright-core";

/** The WCAG 2 A/AA rules (2.0 and 2.1) of axe-core, and its best practices. */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
/** Rules that fail at any impact: a level-one heading and roles allowed on their element rank "moderate"/"minor". */
const ALWAYS_REPORTED = new Set(["page-has-heading-one", "aria-allowed-role", "listitem", "list", "color-contrast"]);

export interface Violation {
  rule: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page; returns the serious and critical violations (and any of ALWAYS_REPORTED). */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  // Evaluated through the DevTools protocol, so the page's own script policy does not apply.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axe.source);
  const results = await page.evaluate(
    (tags) => (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: "tag", values: tags } }),
    TAGS,
  );
  return results.violations
    .filter(
      (violation) =>
        violation.impact === "serious" || violation.impact === "critical" || ALWAYS_REPORTED.has(violation.id),
    )
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.html),
    }));
}

/** Presses Tab until `target` has the focus (at most `limit` times); false if it never did. */
export async function tabTo(page: Page, target: Locator, limit = 40): Promise<boolean> {
  for (let press = 0; press < limit; press += 1) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return true;
  }
  return false;
}

/** Whether the focused element looks focused: its outline or focus ring differs from its look without focus. */
export async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!(element instanceof HTMLElement) || element === document.body) return false;
    const look = () => {
      const style = getComputedStyle(element);
      const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      return { outline: outline ? `${style.outlineWidth} ${style.outlineColor}` : "none", shadow: style.boxShadow };
    };
    const focused = look();
    element.blur();
    const unfocused = look();
    element.focus();
    return focused.outline !== unfocused.outline || focused.shadow !== unfocused.shadow;
  });
}
