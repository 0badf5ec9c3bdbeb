import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { drainEvent, mockBackend, truckDetail } from "../test/fixtures";

function english() {
  vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
}

const route = { page: "truck", truckId: "T1", from: "fleet" } as const;

describe("truck page", () => {
  it("draws both lines over 2000 samples and a marker per fill or drain", async () => {
    english();
    const fill = drainEvent("ev-fill", "T1", { kind: "fill", volume_l: 200 });
    const fault = drainEvent("ev-fault", "T1", { kind: "sensor_fault" });
    mockBackend({ truck_detail: () => truckDetail("T1", [drainEvent("ev-1", "T1"), fill, fault]) });
    render(<App initialRoute={route} />);
    const chart = await screen.findByTestId("fuel-chart");
    const raw = within(chart).getByTestId("line-raw").getAttribute("d") ?? "";
    expect(raw.match(/[ML]/g)).toHaveLength(2000);
    expect(within(chart).getByTestId("line-filtered").getAttribute("d")).toMatch(/^M/);
    expect(screen.getByTestId("event-marker-ev-1")).toBeInTheDocument();
    expect(screen.getByTestId("event-marker-ev-fill")).toBeInTheDocument();
    expect(screen.queryByTestId("event-marker-ev-fault")).not.toBeInTheDocument();
    expect(screen.getByTestId("truck-ledger")).toHaveTextContent("30.0 L/100 km");
    expect(screen.getByTestId("sensor-health")).toHaveTextContent("(longest 14 min)");
  });

  it("shows the evidence when a marker gets focus, and Escape closes it", async () => {
    english();
    mockBackend({ truck_detail: () => truckDetail("T1", [drainEvent("ev-1", "T1")]) });
    const user = userEvent.setup();
    render(<App initialRoute={route} />);
    const marker = await screen.findByTestId("event-marker-ev-1");
    expect(screen.queryByTestId("event-evidence")).not.toBeInTheDocument();
    fireEvent.focus(marker);
    const evidence = await screen.findByTestId("event-evidence");
    expect(within(evidence).getByTestId("ev-volume")).toHaveTextContent("62.5 L");
    expect(evidence).toHaveTextContent("400.0 L → 337.5 L");
    expect(evidence).toHaveTextContent("0.4 L (ECU counter)");
    expect(evidence).toHaveTextContent("1.50 L measured");
    expect(within(evidence).getByTestId("ev-reason")).toHaveTextContent("level fell while standing, beyond expected consumption");
    expect(within(evidence).getByTestId("ev-confidence")).toHaveTextContent("93%");
    expect(within(evidence).getByTestId("ev-explanation")).toHaveTextContent("stationary");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("event-evidence")).not.toBeInTheDocument();
  });

  it("records a verdict through record_verdict and shows it", async () => {
    english();
    const calls = mockBackend({
      truck_detail: () => truckDetail("T1", [drainEvent("ev-1", "T1")]),
      record_verdict: (a) => ({
        ...drainEvent("ev-1", "T1"),
        verdict: { verdict: a.verdict, by: a.by, at: "2026-01-05T11:00:00Z", note: null },
      }),
      clear_verdict: () => true,
    });
    const user = userEvent.setup();
    render(<App initialRoute={route} />);
    await user.hover(await screen.findByTestId("event-marker-ev-1"));
    await user.click(within(screen.getByTestId("event-evidence")).getByTestId("verdict-confirmed"));
    await waitFor(() => expect(screen.getByTestId("verdict-recorded")).toHaveTextContent("Confirmed by dispatcher"));
    expect(calls.find((c) => c.cmd === "record_verdict")?.args).toMatchObject({
      eventId: "ev-1",
      verdict: "confirmed",
      by: "dispatcher",
    });
    expect(screen.getByTestId("verdict-confirmed")).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("event-marker-ev-1")).toHaveClass("verdict-confirmed");

    await user.click(screen.getByTestId("verdict-clear"));
    await waitFor(() => expect(screen.queryByTestId("verdict-recorded")).not.toBeInTheDocument());
    expect(calls.find((c) => c.cmd === "clear_verdict")?.args).toEqual({ eventId: "ev-1" });
    expect(screen.getByTestId("verdict-confirmed")).toHaveAttribute("aria-pressed", "false");
  });

  it("explains a failed verdict with the code's message and the shell's text", async () => {
    english();
    mockBackend({
      truck_detail: () => truckDetail("T1", [drainEvent("ev-1", "T1")]),
      record_verdict: () => {
        throw { code: "not_found", message: "not found: ev-1" };
      },
    });
    const user = userEvent.setup();
    render(<App initialRoute={route} />);
    fireEvent.focus(await screen.findByTestId("event-marker-ev-1"));
    await user.click(screen.getByTestId("verdict-false_alarm"));
    const notice = await screen.findByRole("alert");
    expect(notice).toHaveTextContent("Could not record the verdict.");
    expect(notice).toHaveTextContent("refresh the page");
    expect(notice).toHaveTextContent("not found: ev-1");
  });

  it("shows volumes in gallons when the user prefers them", async () => {
    english();
    mockBackend({
      get_settings: () => ({
        fleet: {},
        preferences: { version: 1, language: "en", theme: "system", volume_unit: "gal", distance_unit: "mi" },
      }),
      truck_detail: () => truckDetail("T1", [drainEvent("ev-1", "T1")]),
    });
    render(<App initialRoute={route} />);
    fireEvent.focus(await screen.findByTestId("event-marker-ev-1"));
    await waitFor(() => expect(screen.getByTestId("ev-volume")).toHaveTextContent("16.5 gal"));
    expect(screen.getByTestId("ledger-efficiency")).toHaveTextContent("7.8 mpg");
  });
});
