import { StrictMode, startTransition } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { installPerfProbe } from "./perf";
import "./styles.css";

// Before the first render, so the benchmark sees every frame from the start.
installPerfProbe();

const root = document.getElementById("root");
if (!root) throw new Error("index.html lacks #root");

// The first render is a transition, so React renders it in slices of a few ms
// between frames instead of one long task at launch (the drift probe's worst frame).
startTransition(() => {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
