// Drives Debian's Chromium (playwright-core, headless) through pbxgraph's GraphiQL, reaching loopback only.
//
// argv: chromium executable, profile folder (new and empty), base URL of a server without tokens,
//       base URL of one with tokens, the query to run from a prefilled link, screenshot path.
// Prints one JSON object with what it saw; the Python test asserts on it.
import { chromium } from 'playwright-core';

const [executablePath, profile, base, tokenBase, query, screenshot] = process.argv.slice(2);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const seen = { blocked: [], errors: [] };

const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1440, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
await context.route('**/*', (route) => {
  const url = new URL(route.request().url());
  if (LOOPBACK.has(url.hostname)) return route.continue();
  seen.blocked.push(url.href);
  return route.abort();
});
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });

const page = context.pages()[0] ?? await context.newPage();
let sink = seen.errors;
page.on('pageerror', (error) => sink.push(String(error)));
page.on('console', (message) => { if (message.type() === 'error') sink.push(message.text()); });

const editorValues = (selector) => page.evaluate((sel) => Array.from(document.querySelectorAll(sel))
  .map((node) => node.CodeMirror ? node.CodeMirror.getValue() : ''), selector);

try {
  // 1. The page renders, and its docs explorer lists the root types, Query among them, and Query's fields.
  await page.goto(`${base}/graphql`);
  await page.waitForSelector('.graphiql-container');
  seen.title = await page.title();
  await page.click('button[aria-label="Show Documentation Explorer"]');
  const explorer = page.locator('.graphiql-doc-explorer');
  await explorer.getByText('Query', { exact: true }).first().waitFor();
  seen.rootTypes = await explorer.locator('.graphiql-doc-explorer-type-name').allInnerTexts();
  await explorer.getByText('Query', { exact: true }).first().click();
  await explorer.getByText('users', { exact: true }).first().waitFor();
  seen.queryFields = await explorer.locator('.graphiql-doc-explorer-field-name').allInnerTexts();

  // 2. A prefilled link opens GraphiQL with the query in the editor; running it shows the result.
  const link = `${base}/graphql?query=${encodeURIComponent(query)}`;
  await page.goto(link);
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  seen.editor = (await editorValues('.graphiql-query-editor .CodeMirror'))[0];
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => {
    const node = document.querySelector('.graphiql-response .CodeMirror');
    return node && node.CodeMirror && node.CodeMirror.getValue().includes('"data"');
  });
  seen.result = JSON.parse((await editorValues('.graphiql-response .CodeMirror'))[0]);
  await page.screenshot({ path: screenshot });

  // 3. The toolbar's link button copies a link to the query as it stands in the editor.
  await page.click('button[aria-label="Copy link to this query"]');
  await page.locator('button[aria-label="Link copied"]').waitFor();
  seen.copied = await page.evaluate(() => navigator.clipboard.readText());
  seen.address = page.url();

  // 4. With API tokens, the page opens without one and its header editor starts with a Bearer line
  //    (the schema's introspection is refused until a token is filled in: its errors are kept apart).
  seen.tokenPageErrors = [];
  sink = seen.tokenPageErrors;
  await page.goto(`${tokenBase}/graphql`);
  await page.waitForSelector('.graphiql-editor-tool .CodeMirror', { state: 'attached' });
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.graphiql-editor-tool .CodeMirror'))
    .some((node) => node.CodeMirror && node.CodeMirror.getValue().includes('Authorization')));
  seen.headers = (await editorValues('.graphiql-editor-tool .CodeMirror')).filter((v) => v.includes('Authorization'));
  seen.headersShown = await page.locator('.graphiql-editor-tool .CodeMirror', { hasText: 'Authorization' })
    .isVisible();
} finally {
  await context.close();
}
console.log(JSON.stringify(seen));
