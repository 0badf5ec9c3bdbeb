import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { FleetStore } from "../live/fleetStore";
import { emitEvent, manualFrames, mockBackend, row, snapshot, truckDetail, update } from "../test/fixtures";

function english() {
  vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
}

describe("fleet page", () => {
  it("renders the snapshot and KPIs, then applies live batches once per frame", async () => {
    english();
    mockBackend();
    const frames = manualFrames();
    const store = new FleetStore(frames.schedule);
    render(<App fleetStore={store} />);

    const t1 = await screen.findByTestId("fleet-row-T1");
    expect(within(t1).getByText("300 L")).toBeInTheDocument();
    expect(await within(screen.getByTestId("fleet-kpis")).findByText("1,235 L")).toBeInTheDocument();
    expect(screen.getByTestId("kpi-consumption")).toHaveTextContent("31.2 L/100 km");
    expect(screen.getByTestId("kpi-thefts")).toHaveTextContent("1");
    expect(screen.getByTestId("live-indicator")).toHaveTextContent("Waiting for live data");
    const t2Before = screen.getByTestId("fleet-row-T2");

    await act(async () => {
      await emitEvent("truck-update", { at_ms: 1, updates: [update("T1", 2, { fuel_l: 210 })] });
      await emitEvent("truck-update", { at_ms: 2, updates: [update("T1", 3, { fuel_l: 205 })] });
    });
    // Queued, not applied, until the frame runs.
    expect(within(screen.getByTestId("fleet-row-T1")).getByText("300 L")).toBeInTheDocument();
    act(() => {
      expect(frames.run()).toBe(1);
    });
    expect(within(screen.getByTestId("fleet-row-T1")).getByText("205 L")).toBeInTheDocument();
    expect(screen.getByTestId("fleet-row-T1")).toHaveAttribute("data-version", "3");
    expect(screen.getByTestId("fleet-row-T2")).toBe(t2Before);
    expect(screen.getByTestId("live-indicator")).toHaveTextContent(/Live · 3 trucks/);
  });

  it("sorts, filters by status and searches", async () => {
    english();
    mockBackend({
      fleet_snapshot: () =>
        snapshot([
          row("T1", { fuel_l: 300, state: "driving", driver_id: "ana" }),
          row("T2", { fuel_l: 100, state: "parked", driver_id: "bob" }),
          row("T3", { fuel_l: 200, state: "driving", driver_id: "carla" }),
        ]),
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("fleet-row-T1");
    const order = () =>
      screen
        .getAllByTestId(/^fleet-row-/)
        .map((el) => el.getAttribute("data-testid")?.replace("fleet-row-", ""));
    expect(order()).toEqual(["T1", "T2", "T3"]);

    await user.click(screen.getByTestId("fleet-sort-fuel"));
    expect(order()).toEqual(["T2", "T3", "T1"]);
    await user.click(screen.getByTestId("fleet-sort-fuel"));
    expect(order()).toEqual(["T1", "T3", "T2"]);
    expect(screen.getByTestId("fleet-sort-fuel").closest("th")).toHaveAttribute("aria-sort", "descending");

    await user.selectOptions(screen.getByTestId("fleet-filter-state"), "driving");
    expect(order()).toEqual(["T1", "T3"]);
    await user.type(screen.getByTestId("fleet-search"), "carl");
    expect(order()).toEqual(["T3"]);
    expect(screen.getByTestId("fleet-count")).toHaveTextContent("1 of 3 trucks");
    await user.clear(screen.getByTestId("fleet-search"));
    await user.type(screen.getByTestId("fleet-search"), "nobody");
    expect(screen.getByText("No truck matches the search and status filter.")).toBeInTheDocument();
  });

  it("virtualises 1500 trucks: only the rows in view are in the DOM", async () => {
    english();
    mockBackend({
      fleet_snapshot: () => snapshot(Array.from({ length: 1500 }, (_, i) => row(`T${String(i).padStart(4, "0")}`))),
    });
    render(<App />);
    await screen.findByTestId("fleet-row-T0000");
    const rendered = screen.getAllByTestId(/^fleet-row-/).length;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
    expect(screen.getByTestId("fleet-table")).toHaveAttribute("aria-rowcount", "1501");
  });

  it("opens a truck with Enter and moves between rows with the arrow keys", async () => {
    english();
    mockBackend({ truck_detail: (a) => truckDetail(String(a.truckId), []) });
    const user = userEvent.setup();
    render(<App />);
    const first = await screen.findByTestId("fleet-row-T1");
    first.focus();
    await user.keyboard("{ArrowDown}");
    expect(screen.getByTestId("fleet-row-T2")).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("truck-page")).toBeInTheDocument();
  });

  it("reaches every truck on the map from the keyboard, with a visible ring and the hover's label", async () => {
    english();
    mockBackend({
      fleet_snapshot: () =>
        snapshot([
          row("T1", { name: "One", lat: 40.4, lon: -3.7 }),
          // Two trucks at one depot: the arrows reach both (they step, not aim).
          row("T2", { name: "Two", state: "parked", lat: 40.5, lon: -3.6 }),
          row("T3", { name: "Three", state: "parked", lat: 40.5, lon: -3.6 }),
        ]),
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("fleet-row-T1");
    const map = screen.getByTestId("fleet-map-canvas");
    expect(map).toHaveAttribute("tabindex", "0");
    expect(map).toHaveAccessibleName(/arrow keys pick a truck/);
    const picked = screen.getByTestId("map-picked");
    expect(picked).toHaveTextContent("");

    act(() => map.focus());
    // Arriving picks the first truck: ring and label drawn, and announced.
    expect(picked).toHaveTextContent("One: Driving. Truck 1 of 3; Enter opens it.");
    const ring = () => screen.getByTestId("fleet-map").querySelector(".map-focus");
    expect(ring()).toHaveTextContent("One: Driving");
    // The table's order (by name): One, Three, Two.
    await user.keyboard("{ArrowRight}");
    expect(picked).toHaveTextContent("Three: Parked. Truck 2 of 3");
    await user.keyboard("{ArrowDown}");
    expect(picked).toHaveTextContent("Two: Parked. Truck 3 of 3");
    await user.keyboard("{ArrowRight}");
    expect(picked).toHaveTextContent("Truck 3 of 3");
    await user.keyboard("{Home}");
    expect(picked).toHaveTextContent("Truck 1 of 3");
    await user.keyboard("{End}{ArrowUp}");
    expect(picked).toHaveTextContent("Three: Parked. Truck 2 of 3");
    // Leaving the map hides the ring.
    act(() => map.blur());
    expect(ring()).toBeNull();
    act(() => map.focus());
    expect(picked).toHaveTextContent("Three: Parked");
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("truck-page")).toBeInTheDocument();
  });

  it("switches pages with Alt+1..5", async () => {
    english();
    mockBackend({ coach_report: () => ({ coaching: null, drivers: [] }) });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("fleet-row-T1");
    await user.keyboard("{Alt>}2{/Alt}");
    expect(screen.getByTestId("alerts-inbox")).toBeInTheDocument();
    expect(screen.getByTestId("nav-alerts")).toHaveAttribute("aria-current", "page");
    await user.keyboard("{Alt>}5{/Alt}");
    await waitFor(() => expect(screen.getByTestId("settings-language")).toBeInTheDocument());
    await user.keyboard("{Alt>}1{/Alt}");
    expect(screen.getByTestId("fleet-table")).toBeInTheDocument();
  });

  it("shows a translated error with the shell's message when the snapshot fails", async () => {
    english();
    mockBackend({
      fleet_snapshot: () => {
        throw { code: "unavailable", message: "live pipeline not started" };
      },
    });
    render(<App />);
    const notice = await screen.findByRole("alert");
    expect(notice).toHaveTextContent("Could not start the live feed.");
    expect(notice).toHaveTextContent("check the data source in Settings");
    expect(notice).toHaveTextContent("live pipeline not started");
  });
});
