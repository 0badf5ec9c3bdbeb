// The alert inbox: the outbox read once, then each `alert` event. Keyed by
// seq, so a replayed alert (the shell resumes from the outbox) is a no-op.
import type { AlertDto } from "../types";

type Listener = () => void;

export class AlertStore {
  private bySeq = new Map<number, AlertDto>();
  private list: AlertDto[] = [];
  private listeners = new Set<Listener>();
  loaded = false;

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
      const known = this.bySeq.get(alert.seq);
      if (!known) fresh.push(alert);
      // An acknowledged copy wins over an open one, never the other way round.
      if (!known || (alert.acked_at && !known.acked_at)) {
        this.bySeq.set(alert.seq, alert);
        changed = true;
      }
    }
    if (!changed) return fresh;
    const only = fresh.length === 1 && alerts.length === 1 ? fresh[0] : undefined;
    if (only && (this.list.length === 0 || only.seq > this.list[0]!.seq)) {
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
    this.commit();
  }

  openCount(): number {
    let n = 0;
    for (const a of this.bySeq.values()) if (!a.acked_at) n += 1;
    return n;
  }

  private commit(): void {
    this.list = [...this.bySeq.values()].sort((a, b) => b.seq - a.seq);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
