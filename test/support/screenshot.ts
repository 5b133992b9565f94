/**
 * PNG screenshots for the README: a whole page (the visible viewport, or the full scrollable page)
 * or one element (e.g. the tab's iframe in the Teams test host). Creates the folder if needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

export interface ScreenshotOptions {
  /** For a page: the whole scrollable page instead of the viewport. */
  fullPage?: boolean;
}

/** Writes a PNG of `target` (a page or an element's locator) to `file`; resolves with the PNG bytes. */
export async function screenshot(target: Page | Locator, file: string, options: ScreenshotOptions = {}): Promise<Buffer> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (isPage(target)) return target.screenshot({ path: file, type: 'png', fullPage: options.fullPage ?? false });
  return target.screenshot({ path: file, type: 'png' });
}

function isPage(target: Page | Locator): target is Page {
  return 'mainFrame' in target;
}
