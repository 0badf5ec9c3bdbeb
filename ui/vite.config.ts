/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The Fluent messages live in ../locales (shared with the Rust side), so the
// dev server must be allowed to read the repository root (resolved from ui/).

export default defineConfig({
  plugins: [react()],
  // Tauri serves the built files itself; relative URLs keep them origin-free.
  base: "./",
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    fs: { allow: [".."] },
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The webviews Tauri uses all support modulepreload natively; the polyfill
    // would only add inline code that the strict CSP has to allow.
    modulePreload: { polyfill: false },
  },
  test: {
    benchmark: { include: ["bench/**/*.bench.tsx"] },
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
  },
});
