import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { mockBackend } from "../test/fixtures";
import type { DriverDto } from "../types";

function driver(id: string, score: number, litres: number, lp100: number): DriverDto {
  return {
    driver_id: id,
    trucks: ["T1"],
    score: {
      value: score,
      raw: score,
      low: score - 5,
      high: score + 5,
      provisional: id === "c",
      percentile: score,
      parts: [{ name: "idle", score: 70, weight: 0.3 }],
    },
    metrics: {
      days: 10, distance_km: 1000, fuel_l: 300, l_per_100km: lp100, expected_l_per_100km: 30, efficiency_ratio: 1,
      engine_h: 20, idle_h: 5, idle_h_per_day: 0.5, idle_l: 10, idle_cost: 16, idle_share: 0.25, over_speed_h: 1,
      over_speed_share: 0.05, over_speed_extra_l: 2, harsh_accel: 1, harsh_brake: 2, harsh_per_100km: 0.3,
      rpm_out_share: 0.1, stops_per_100km: 2, climb_m_per_100km: 100, speed_glitches: 0, out_of_order: 0,
    },
    recommendations:
      litres > 0
        ? [{ code: "idle", litres_per_week: litres, money_per_week: litres * 1.6, currency: "EUR", value: 1.2, fleet_best: 0.3, unit: "h_per_day", earlier: null, recent: null }]
        : [],
  };
}

describe("drivers page", () => {
  it("shows scorecards with intervals, sorts them and explains recommendations", async () => {
    vi.spyOn(navigator, "languages", "get").mockReturnValue(["en-US"]);
    mockBackend({
      coach_report: () => ({
        coaching: {
          period: { from_day: "2026-01-01", to_day: "2026-01-10", days: 10 },
          prices: { currency: "EUR", fuel_price_per_l: 1.6 },
          speed_limit_kmh: 90,
          fleet_median_score: 70,
        },
        drivers: [driver("a", 80, 5, 28), driver("b", 60, 12.5, 34), driver("c", 70, 0, 31)],
      }),
    });
    const user = userEvent.setup();
    render(<App initialRoute={{ page: "drivers" }} />);
    const table = await screen.findByTestId("drivers-table");
    const order = () => within(table).getAllByTestId(/^driver-row-/).map((r) => r.getAttribute("data-testid"));
    expect(order()).toEqual(["driver-row-a", "driver-row-c", "driver-row-b"]);
    expect(screen.getByTestId("driver-row-a")).toHaveTextContent("80 [75–85]");
    expect(screen.getByTestId("driver-row-c")).toHaveTextContent("provisional");
    expect(screen.getByTestId("driver-savings-b")).toHaveTextContent("12.5 L/week €20.00");
    expect(within(screen.getByTestId("drivers-chart")).getAllByRole("img")).toHaveLength(1);

    await user.click(screen.getByTestId("drivers-sort-savings"));
    expect(order()).toEqual(["driver-row-b", "driver-row-a", "driver-row-c"]);

    await user.click(within(screen.getByTestId("driver-row-b")).getByRole("button", { name: "b" }));
    expect(screen.getByText("Idle less.")).toBeInTheDocument();
    expect(screen.getByText(/1.2 h\/day against the fleet's best 0.3 h\/day: about 12.5 L and €20.00 a week./)).toBeInTheDocument();
    await user.keyboard("{Escape}");
    expect(screen.queryByText("Idle less.")).not.toBeInTheDocument();
  });
});
