import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { FLEET_SETTINGS, mockBackend, prefsRecord, settingsView } from "../test/fixtures";

function english() {
  vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
}

const settings = { page: "settings" } as const;

describe("settings page", () => {
  it("names a bad value inline before calling the shell", async () => {
    english();
    const calls = mockBackend();
    const user = userEvent.setup();
    render(<App initialRoute={settings} />);
    const currency = await screen.findByTestId("settings-currency");
    await user.clear(currency);
    await user.type(currency, "eu");
    await user.click(screen.getByTestId("settings-save"));
    expect(await screen.findByText("Use a three-letter ISO code such as EUR or USD.")).toBeInTheDocument();
    expect(currency).toHaveAttribute("aria-invalid", "true");
    expect(calls.some((c) => c.cmd === "save_fleet_settings")).toBe(false);
  });

  it("shows the shell's validation error beside the field it names", async () => {
    english();
    mockBackend({
      save_fleet_settings: () => {
        throw { code: "invalid_input", message: "time_zone: `Mars/Olympus` is not an IANA time zone" };
      },
    });
    const user = userEvent.setup();
    render(<App initialRoute={settings} />);
    const zone = await screen.findByTestId("settings-zone");
    await user.clear(zone);
    await user.type(zone, "Mars/Olympus");
    await user.click(screen.getByTestId("settings-save"));
    const field = zone.closest(".field") as HTMLElement;
    expect(await within(field).findByRole("alert")).toHaveTextContent(
      "Enter an IANA time zone such as Europe/Madrid. time_zone: `Mars/Olympus` is not an IANA time zone",
    );
  });

  it("saves the fuel price per gallon as a price per litre", async () => {
    english();
    const calls = mockBackend({
      get_settings: () =>
        settingsView({ preferences: prefsRecord({ language: "en", theme: "system", volume_unit: "gal", distance_unit: "mi" }) }),
      save_fleet_settings: (a) => a.settings,
    });
    const user = userEvent.setup();
    render(<App initialRoute={settings} />);
    const price = await screen.findByTestId("settings-fuel-price");
    await waitFor(() => expect(price).toHaveValue("6.057")); // 1.60 EUR/L
    expect(screen.getByTestId("settings-speed")).toHaveValue("55.9"); // 90 km/h
    await user.clear(price);
    await user.type(price, "3.785411784");
    await user.click(screen.getByTestId("settings-save"));
    expect(await screen.findByTestId("settings-saved")).toBeInTheDocument();
    const saved = calls.find((c) => c.cmd === "save_fleet_settings")?.args.settings as typeof FLEET_SETTINGS;
    expect(saved.fuel_price_per_l).toBeCloseTo(1, 9);
    expect(saved.speed_limit_kmh).toBeCloseTo(90, 0);
    expect(saved.reconcile_radius_m).toBe(500);
  });

  it("switches to Spanish, saves the preference and translates everything", async () => {
    english();
    const calls = mockBackend();
    const user = userEvent.setup();
    render(<App initialRoute={settings} />);
    await user.selectOptions(await screen.findByTestId("settings-language"), "es");
    expect(await screen.findByRole("heading", { name: "Ajustes", level: 2 })).toBeInTheDocument();
    expect(screen.getByTestId("nav-fleet")).toHaveTextContent("Flota");
    expect(document.documentElement.lang).toBe("es");
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "save_preferences").at(-1)?.args).toEqual({
        preferences: prefsRecord({ language: "es" }),
      }),
    );
  });

  it("writes back the fields it does not edit (the data source) when saving preferences", async () => {
    english();
    const feed = { kind: "feed" as const, url: "wss://feed.example/ws/v1", trucks: null };
    const calls = mockBackend({ get_settings: () => settingsView({ preferences: prefsRecord({ version: 3, data_source: feed }) }) });
    const user = userEvent.setup();
    render(<App initialRoute={settings} />);
    const theme = await screen.findByTestId("settings-theme");
    await waitFor(() => expect(calls.filter((c) => c.cmd === "get_settings").length).toBeGreaterThan(0));
    await user.selectOptions(theme, "light");
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "save_preferences").at(-1)?.args).toEqual({
        preferences: { version: 3, language: "", theme: "light", volume_unit: "l", distance_unit: "km", data_source: feed },
      }),
    );
  });

  it("applies theme and units at once and saves them", async () => {
    english();
    const calls = mockBackend();
    const user = userEvent.setup();
    render(<App initialRoute={settings} />);
    await user.selectOptions(await screen.findByTestId("settings-theme"), "dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    await user.selectOptions(screen.getByTestId("settings-volume-unit"), "gal");
    await user.selectOptions(screen.getByTestId("settings-distance-unit"), "mi");
    await waitFor(() =>
      expect(calls.filter((c) => c.cmd === "save_preferences").at(-1)?.args).toMatchObject({
        preferences: { theme: "dark", volume_unit: "gal", distance_unit: "mi" },
      }),
    );
    await user.click(screen.getByTestId("nav-fleet"));
    expect(await screen.findByTestId("kpi-fuel")).toHaveTextContent("326 gal"); // 1234.5 L
    expect(screen.getByTestId("kpi-consumption")).toHaveTextContent("7.5 mpg");
  });

  it("sends the feed token to set_data_source and shows the secret backend", async () => {
    english();
    const calls = mockBackend({
      set_data_source: (a) => settingsView({ data_source: a.source as never, token_set: true }),
    });
    const user = userEvent.setup();
    render(<App initialRoute={settings} />);
    expect(await screen.findByTestId("secret-store")).toHaveTextContent(
      "No keychain service is running: secrets are kept in a file only your user can read. no Secret Service on this session",
    );
    await user.selectOptions(screen.getByTestId("settings-data-source"), "feed");
    await user.type(screen.getByTestId("settings-feed-url"), "http://wrong");
    await user.click(screen.getByTestId("data-source-apply"));
    expect(await screen.findByText("Enter a WebSocket address starting with ws:// or wss://.")).toBeInTheDocument();
    await user.clear(screen.getByTestId("settings-feed-url"));
    await user.type(screen.getByTestId("settings-feed-url"), "wss://feed.example/ws/v1");
    await user.type(screen.getByTestId("settings-token"), "s3cret");
    await user.click(screen.getByTestId("data-source-apply"));
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "set_data_source")?.args).toEqual({
        source: { kind: "feed", url: "wss://feed.example/ws/v1", trucks: null },
        token: "s3cret",
      }),
    );
    expect(await screen.findByText("A token is stored; leave empty to keep it.")).toBeInTheDocument();
    expect(screen.getByTestId("settings-token")).toHaveValue("");
  });

  it("shows cache statistics from system_status", async () => {
    english();
    mockBackend();
    render(<App initialRoute={settings} />);
    const cache = await screen.findByTestId("cache-stats");
    expect(cache).toHaveTextContent("950");
    expect(screen.getByTestId("cache-hit-ratio")).toHaveTextContent("95.0%");
  });
});
