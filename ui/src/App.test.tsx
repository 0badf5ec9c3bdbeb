import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { PREFS_KEY } from "./prefs";
import { mockBackend, prefsRecord, settingsView } from "./test/fixtures";

describe("app shell", () => {
  it.each([
    ["en-US", "Version 4.5.6", "Fleet"],
    ["es-ES", "Versión 4.5.6", "Flota"],
  ])("follows the system language %s until one is picked", async (language, version, fleet) => {
    vi.spyOn(navigator, "languages", "get").mockReturnValue([language]);
    mockBackend({ app_info: () => ({ name: "Fuel Copilot", version: "4.5.6" }) });
    render(<App />);
    expect(await screen.findByText(version)).toBeInTheDocument();
    expect(screen.getByTestId("nav-fleet")).toHaveTextContent(fleet);
    expect(document.documentElement.lang).toBe(language.slice(0, 2));
  });

  it("takes language and theme from the shell's preferences file", async () => {
    vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
    mockBackend({
      get_settings: () =>
        settingsView({ preferences: prefsRecord({ language: "es", theme: "dark", volume_unit: "l", distance_unit: "km" }) }),
    });
    render(<App />);
    expect(await screen.findByText("Ajustes")).toBeInTheDocument();
    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("starts with a skip link, then the navigation, from the keyboard", async () => {
    vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
    mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("fleet-row-T1");
    await user.tab();
    expect(screen.getByRole("link", { name: "Skip to main content" })).toHaveFocus();
    await user.tab();
    expect(screen.getByTestId("nav-fleet")).toHaveFocus();
    expect(screen.getByTestId("nav-alerts")).toHaveAttribute("aria-keyshortcuts", "Alt+2");
  });

  it("outside Tauri keeps preferences in local storage and says the shell is missing", async () => {
    vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
    vi.spyOn(console, "error").mockImplementation(() => {});
    window.localStorage.setItem(PREFS_KEY, JSON.stringify({ language: "es", theme: "light", volume_unit: "gal", distance_unit: "km" }));
    render(<App />);
    expect(screen.getByTestId("nav-settings")).toHaveTextContent("Ajustes");
    expect(document.documentElement.dataset.theme).toBe("light");
    expect((await screen.findAllByRole("alert"))[0]).toHaveTextContent("No se pudo iniciar los datos en vivo.");
  });
});
