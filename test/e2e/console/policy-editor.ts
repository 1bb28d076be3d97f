// Typing into the console's policy editor (CodeMirror) as a member does.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Replaces the CodeMirror document with `text`, as typed in one go, and waits until it shows it. */
export async function setEditorText(page: Page, text: string) {
  const editor = page.getByRole('textbox', { name: 'Policy YAML' });
  const shown = async () => (await page.locator('.cm-line').allTextContents()).join('\n');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await expect.poll(shown).toBe(text);
}
