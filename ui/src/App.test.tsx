import { mockIPC } from "@tauri-apps/api/mocks";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { SETTINGS_KEY } from "./settings";

function mockAppInfo(version: string) {
  mockIPC((cmd) => {
    if (cmd === "app_info") return { name: "Fuel Copilot", version };
    throw { code: "not_found", message: `no command ${cmd}` };
  });
}

function preferLanguages(languages: string[]) {
  vi.spyOn(navigator, "languages", "get").mockReturnValue(languages);
}

describe("first screen", () => {
  it.each([
    ["en-US", "Version 4.5.6", "The fleet view is coming with the demo data."],
    ["es-ES", "Versión 4.5.6", "La vista de la flota llegará con los datos de demostración."],
  ])("renders the version from app_info for %s", async (language, version, body) => {
    preferLanguages([language]);
    mockAppInfo("4.5.6");
    render(<App />);
    expect(await screen.findByText(version)).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Fuel Copilot");
    expect(screen.getByText(body)).toBeInTheDocument();
    expect(document.documentElement.lang).toBe(language.slice(0, 2));
  });

  it("switches language from the header and remembers it", async () => {
    preferLanguages(["en-US"]);
    mockAppInfo("0.9.0");
    const user = userEvent.setup();
    const { unmount } = render(<App />);
    await screen.findByText("Version 0.9.0");

    await user.selectOptions(screen.getByLabelText("Language"), "es");
    expect(await screen.findByText("Versión 0.9.0")).toBeInTheDocument();
    expect(screen.getByLabelText("Idioma")).toHaveValue("es");
    expect(JSON.parse(window.localStorage.getItem(SETTINGS_KEY) ?? "{}")).toMatchObject({ language: "es" });

    // A stored choice beats the OS language on the next start.
    unmount();
    render(<App />);
    expect(await screen.findByText("Versión 0.9.0")).toBeInTheDocument();
  });

  it("follows the OS theme until one is picked, then applies and stores it", async () => {
    mockAppInfo("1.0.0");
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("Version 1.0.0");
    const theme = screen.getByLabelText("Theme");
    expect(theme).toHaveValue("system");
    expect(document.documentElement.dataset.theme).toBeUndefined();

    await user.selectOptions(theme, "dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(JSON.parse(window.localStorage.getItem(SETTINGS_KEY) ?? "{}")).toMatchObject({ theme: "dark" });

    await user.selectOptions(theme, "system");
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });

  it("says so when the version cannot be read", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    mockIPC(() => {
      throw { code: "internal", message: "core unavailable" };
    });
    render(<App />);
    const status = await screen.findByRole("status");
    expect(status).toHaveTextContent("Version unavailable");
    expect(status).toHaveAttribute("title", "core unavailable");
  });

  it("can be operated from the keyboard", async () => {
    mockAppInfo("1.0.0");
    const user = userEvent.setup();
    render(<App />);
    await screen.findByText("Version 1.0.0");

    await user.tab();
    expect(screen.getByRole("link", { name: "Skip to main content" })).toHaveFocus();
    await user.tab();
    expect(screen.getByLabelText("Language")).toHaveFocus();
    await user.tab();
    expect(screen.getByLabelText("Theme")).toHaveFocus();

    const settings = screen.getByRole("group", { name: "Display settings" });
    expect(within(settings).getAllByRole("combobox")).toHaveLength(2);
  });
});
