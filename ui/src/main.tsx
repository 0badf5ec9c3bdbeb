import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { installPerfProbe } from "./perf";
import "./styles.css";

// Before the first render, so the benchmark sees every frame from the start.
installPerfProbe();

const root = document.getElementById("root");
if (!root) throw new Error("index.html lacks #root");

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
