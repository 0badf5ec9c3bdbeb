import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { rememberPreferences } from "../prefs";

afterEach(() => {
  cleanup();
  clearMocks();
  rememberPreferences(null);
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
});
