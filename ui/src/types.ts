// The one place components take contract types from: the generated bindings
// where they exist, the pending declarations (contract-pending.ts) until then.
export type { AppInfo } from "./bindings/AppInfo";
export type * from "./contract-pending";
