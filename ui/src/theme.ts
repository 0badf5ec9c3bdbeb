import type { ThemeChoice } from "./prefs";

/**
 * Applies a theme to the document. "system" leaves the choice to the
 * `prefers-color-scheme` media query in styles.css, so the app follows the
 * OS live, without a listener.
 */
export function applyTheme(choice: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (choice === "system") {
    delete root.dataset.theme;
  } else {
    root.dataset.theme = choice;
  }
}
