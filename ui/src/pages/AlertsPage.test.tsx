import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { alert, emitEvent, mockBackend } from "../test/fixtures";

function english() {
  vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
}

describe("alerts inbox", () => {
  it("lists newest first and takes new alerts from the alert event, once each", async () => {
    english();
    const calls = mockBackend({ list_alerts: () => [alert(3), alert(5, { kind: "low_fuel", event_id: null, payload: { fuel_l: 40 } })] });
    render(<App initialRoute={{ page: "alerts" }} />);
    const inbox = await screen.findByTestId("alerts-inbox");
    await waitFor(() => expect(within(inbox).getAllByRole("listitem")).toHaveLength(2));
    const seqs = () => within(inbox).getAllByRole("listitem").map((li) => li.getAttribute("data-testid"));
    expect(seqs()).toEqual(["alert-row-5", "alert-row-3"]);
    expect(calls.find((c) => c.cmd === "list_alerts")?.args).toMatchObject({ openOnly: true, limit: 500 });
    expect(screen.getByTestId("alert-row-5")).toHaveTextContent("Low fuel");
    expect(screen.getByTestId("alert-row-5")).toHaveTextContent("level 40.0 L");
    expect(screen.getByTestId("alert-row-3")).toHaveTextContent("62.5 L · confidence 93%");

    await act(async () => {
      await emitEvent("alert", alert(9, { truck_id: "T2" }));
      await emitEvent("alert", alert(9, { truck_id: "T2" })); // replayed from the outbox
    });
    expect(seqs()).toEqual(["alert-row-9", "alert-row-5", "alert-row-3"]);
    expect(screen.getByTestId("nav-alerts")).toHaveTextContent("3");
  });

  it("acknowledges through ack_alert", async () => {
    english();
    const calls = mockBackend({ list_alerts: () => [alert(3)], ack_alert: () => null });
    const user = userEvent.setup();
    render(<App initialRoute={{ page: "alerts" }} />);
    await user.click(await screen.findByTestId("alert-ack-3"));
    expect(await screen.findByTestId("alert-acked-3")).toHaveTextContent("Acknowledged by dispatcher");
    expect(calls.find((c) => c.cmd === "ack_alert")?.args).toEqual({ seq: 3, by: "dispatcher" });
    expect(screen.queryByTestId("alert-ack-3")).not.toBeInTheDocument();
  });

  it("records a false-alarm verdict for the alert's event", async () => {
    english();
    const calls = mockBackend({
      list_alerts: () => [alert(3)],
      record_verdict: (a) => ({ event: { id: a.eventId }, revision: 1, verdict: { verdict: a.verdict, by: "dispatcher", at: "", note: null } }),
    });
    const user = userEvent.setup();
    render(<App initialRoute={{ page: "alerts" }} />);
    await user.click(await screen.findByTestId("alert-verdict-false_alarm-3"));
    await waitFor(() => expect(calls.some((c) => c.cmd === "record_verdict")).toBe(true));
    expect(calls.find((c) => c.cmd === "record_verdict")?.args).toMatchObject({ eventId: "ev-3", verdict: "false_alarm" });
    expect(await within(screen.getByTestId("alert-row-3")).findByText("False alarm", { selector: ".verdict-note" })).toBeInTheDocument();
  });

  it("filters by kind and opens the truck", async () => {
    english();
    mockBackend({
      list_alerts: () => [alert(1), alert(2, { kind: "long_idle", truck_id: "T2", event_id: null, payload: { minutes: 45 } })],
      truck_detail: () => {
        throw { code: "not_found", message: "not found: T2" };
      },
    });
    const user = userEvent.setup();
    render(<App initialRoute={{ page: "alerts" }} />);
    await screen.findByTestId("alert-row-2");
    await user.selectOptions(screen.getByTestId("alerts-filter-kind"), "long_idle");
    expect(screen.queryByTestId("alert-row-1")).not.toBeInTheDocument();
    expect(screen.getByTestId("alert-row-2")).toHaveTextContent("45 min");
    await user.click(screen.getByTestId("alert-open-2"));
    expect(await screen.findByTestId("truck-page")).toHaveTextContent("not found: T2");
  });
});
