// The page of `rolec matrix --format html`, in a real headless Chromium: it loads with no
// network access, its headers stay in view, the filter box hides the permissions that do not
// match, a group folds when its header is clicked, and sensitive groups are marked.
//
// Usage: ROLEC_MATRIX=path/to/matrix.html node --test matrix.test.mjs
// With SCREENSHOT=path.png, a screenshot of the page is written there (docs/matrix.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const page_file = process.env.ROLEC_MATRIX;
assert.ok(page_file, "set ROLEC_MATRIX to the page written by `rolec matrix --format html`");

async function withPage(run) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const requests = [];
    context.on("request", (request) => {
      if (!request.url().startsWith("file:")) requests.push(request.url());
    });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(pathToFileURL(path.resolve(page_file)).href);
    await run(page);
    assert.deepEqual(errors, [], "the page's script raised errors");
    assert.deepEqual(requests, [], "the page asked the network for something");
  } finally {
    await browser.close();
  }
}

const visibleRows = (page) =>
  page.$$eval("tr.permission-row", (rows) => rows.filter((row) => row.offsetParent !== null).map((row) => row.querySelector("td").textContent));

test("every permission is shown, and the count says so", async () => {
  await withPage(async (page) => {
    const rows = await visibleRows(page);
    assert.equal(rows.length, 78, "the embedded catalog has 78 permissions");
    assert.match(await page.textContent("#shown"), /^78 of 78 permissions$/);
  });
});

test("the filter box keeps the matching permissions only", async () => {
  await withPage(async (page) => {
    await page.fill("#filter", "webhook");
    const rows = await visibleRows(page);
    assert.deepEqual(rows, ["webhooks"]);
    await page.fill("#filter", "crm_and_sales");
    assert.deepEqual(await visibleRows(page), ["crm", "commerce", "fakturownia", "payments"]);
    await page.fill("#filter", "");
    assert.equal((await visibleRows(page)).length, 78);
  });
});

test("a group folds and unfolds when its header is clicked", async () => {
  await withPage(async (page) => {
    const header = page.locator("tr.group", { hasText: "crm_and_sales" });
    await header.click();
    assert.ok(!(await visibleRows(page)).includes("crm"), "crm is hidden once its group is folded");
    assert.equal((await visibleRows(page)).length, 74);
    await header.click();
    assert.ok((await visibleRows(page)).includes("crm"));
  });
});

test("sensitive groups are marked, and the headers stay in view when scrolled", async () => {
  await withPage(async (page) => {
    const sensitive = await page.$$eval("tr.group.sensitive .count", (cells) => cells.map((cell) => cell.textContent));
    assert.deepEqual(sensitive, ["administrator_only", "owner_only"]);
    const before = await page.$eval("thead th.permission", (cell) => cell.getBoundingClientRect().top);
    await page.$eval(".wrap", (wrap) => wrap.scrollBy(0, 1500));
    const after = await page.$eval("thead th.permission", (cell) => cell.getBoundingClientRect().top);
    assert.equal(after, before, "the header row does not move when the table scrolls");
    if (process.env.SCREENSHOT) {
      await page.$eval(".wrap", (wrap) => wrap.scrollTo(0, 0));
      await page.fill("#filter", "");
      await page.screenshot({ path: process.env.SCREENSHOT });
    }
  });
});
