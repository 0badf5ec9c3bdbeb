// The alert inbox: the outbox read once, then each `alert` event. Keyed by
// seq, so a replayed alert (the shell resumes from the outbox) is a no-op.
// A long session of a large fleet raises alerts without end: the inbox keeps
// the newest `keep` in memory (the outbox keeps them all), and counts the open
// ones as they come and go, so the count stays right beyond what is kept.
import type { AlertDto } from "../types";

type Listener = () => void;

/** Alerts kept in memory: pages of 200 in the inbox, far more than a dispatcher reads. */
export const KEEP_ALERTS = 1000;

export class AlertStore {
  private bySeq = new Map<number, AlertDto>();
  private list: AlertDto[] = [];
  private listeners = new Set<Listener>();
  private open = 0;
  /** Seqs below this were let go: a replay of one is not new. */
  private floor = Number.NEGATIVE_INFINITY;
  loaded = false;

  constructor(private keep: number = KEEP_ALERTS) {}

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Newest first. */
  getAlerts = (): readonly AlertDto[] => this.list;

  get(seq: number): AlertDto | undefined {
    return this.bySeq.get(seq);
  }

  /** Merges alerts; returns those that were new. */
  add(alerts: readonly AlertDto[]): AlertDto[] {
    const fresh: AlertDto[] = [];
    let changed = false;
    for (const alert of alerts) {
      if (alert.seq < this.floor) continue;
      const known = this.bySeq.get(alert.seq);
      if (!known) {
        fresh.push(alert);
        if (!alert.acked_at) this.open += 1;
      }
      // An acknowledged copy wins over an open one, never the other way round.
      if (!known || (alert.acked_at && !known.acked_at)) {
        if (known) this.open -= 1;
        this.bySeq.set(alert.seq, alert);
        changed = true;
      }
    }
    if (!changed) return fresh;
    const only = fresh.length === 1 && alerts.length === 1 ? fresh[0] : undefined;
    if (only && this.list.length < this.keep && (this.list.length === 0 || only.seq > this.list[0]!.seq)) {
      // The usual live case, one alert newer than all: no re-sort.
      this.list = [only, ...this.list];
      this.notify();
    } else {
      this.commit();
    }
    return fresh;
  }

  markAcked(seq: number, by: string, at: string): void {
    const alert = this.bySeq.get(seq);
    if (!alert || alert.acked_at) return;
    this.bySeq.set(seq, { ...alert, acked_by: by, acked_at: at });
    this.open -= 1;
    this.commit();
  }

  /** Open alerts seen this session, kept in memory or not. */
  openCount(): number {
    return this.open;
  }

  private commit(): void {
    const sorted = [...this.bySeq.values()].sort((a, b) => b.seq - a.seq);
    if (sorted.length > this.keep) {
      // The oldest go (still open ones stay counted: they are open in the outbox).
      for (const old of sorted.splice(this.keep)) this.bySeq.delete(old.seq);
      this.floor = sorted[sorted.length - 1]!.seq;
    }
    this.list = sorted;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
