// How long one animation frame of live updates costs on the fleet page:
// 1000 trucks, a quarter of them changed per ~250 ms batch (1 Hz per truck),
// applied through the store and rendered by React in jsdom (slower than a
// webview, so an upper bound). Run: npx vitest bench --run
import { act, render } from "@testing-library/react";
import { bench, describe } from "vitest";
import { App } from "../src/App";
import { FleetStore } from "../src/live/fleetStore";
import { manualFrames, mockBackend, row, snapshot, update } from "../src/test/fixtures";

const TRUCKS = 1000;
const ids = Array.from({ length: TRUCKS }, (_, i) => `T${String(i).padStart(4, "0")}`);

describe("fleet page, one frame of updates", () => {
  const frames = manualFrames();
  const store = new FleetStore(frames.schedule);
  let version = 1;
  let setUp = false;

  const prepare = async () => {
    if (setUp) return;
    setUp = true;
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    mockBackend({ fleet_snapshot: () => snapshot(ids.map((id, i) => row(id, { lat: 40 + (i % 40) / 10, lon: -3 + i / 400 }))) });
    render(<App fleetStore={store} />);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 200));
    });
  };

  bench(
    "250 of 1000 trucks changed",
    async () => {
      version += 1;
      const start = (version * 250) % TRUCKS;
      const updates = ids.slice(start, start + 250).map((id, i) =>
        update(id, version, { fuel_l: 200 + ((version + i) % 50), lat: 40 + (i % 40) / 10, lon: -3 + i / 400 }),
      );
      store.enqueue({ at_ms: version, updates });
      act(() => {
        frames.run();
      });
    },
    { setup: prepare, iterations: 40, warmupIterations: 5 },
  );
});
