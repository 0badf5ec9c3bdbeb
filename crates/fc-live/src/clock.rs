//! The fleet's data clock: the offline rule runs in the feed's time, so that a
//! replay at k x real time marks a truck offline after an hour of *data* time
//! without a point, never by the wall clock of the machine replaying it.
//!
//! The clock is the newest time received that is plausible: within the offline
//! delay (plus the feed's pace) of what the fleet had already reached, or of the
//! time a quorum of trucks has reached ([`quorum_newest`]). A truck whose tracker
//! clock runs hours ahead (a wrong zone, a reset RTC) therefore cannot drag the
//! fleet's "now" forward and mark every other truck offline, while a truck that
//! keeps reporting when all others fell silent still moves it. While the feed is
//! connected, caught up and not ended, it keeps moving at the feed's own pace
//! (data time per wall time, the median of recent advances), so that a fleet that
//! falls silent all at once still goes offline. A finished replay freezes the clock.

use std::collections::VecDeque;
use std::time::Instant;

/// Recent advances kept for the pace (one per stats tick with new data).
const PACE_SAMPLES: usize = 9;

#[derive(Debug)]
pub(crate) struct DataClock {
    max_ts: i64,
    /// When `max_ts` was last sampled (wall).
    sampled: Option<(Instant, i64)>,
    /// Data ms per wall ms over recent ticks.
    paces: VecDeque<f64>,
}

impl DataClock {
    pub fn new() -> DataClock {
        DataClock {
            max_ts: i64::MIN,
            sampled: None,
            paces: VecDeque::new(),
        }
    }

    /// Called on every stats tick with each truck's latest time (reordered): moves
    /// the clock to the newest plausible one and measures the feed's pace from the
    /// data that came. The clock never goes back.
    pub fn tick(&mut self, now: Instant, latest: &mut [i64], offline_after_ms: i64) {
        if let Some(q) = quorum_newest(latest) {
            let base = self.max_ts.max(q);
            // The feed's own progress since the last sample is plausible too (a replay
            // at thousands of times real time moves hours per tick).
            let progress = match (self.sampled, self.pace()) {
                (Some((at, _)), Some(pace)) => {
                    (now.duration_since(at).as_secs_f64() * 1000.0 * pace * 2.0) as i64
                }
                _ => 0,
            };
            let allowed = base
                .saturating_add(offline_after_ms.max(0))
                .saturating_add(progress);
            let newest = latest.iter().copied().filter(|l| *l <= allowed).max();
            self.max_ts = self.max_ts.max(newest.unwrap_or(q));
        }
        if self.max_ts == i64::MIN {
            return;
        }
        match self.sampled {
            Some((at, ts)) if self.max_ts > ts => {
                let wall = now.duration_since(at).as_secs_f64() * 1000.0;
                if wall > 0.0 {
                    self.paces.push_back((self.max_ts - ts) as f64 / wall);
                    if self.paces.len() > PACE_SAMPLES {
                        self.paces.pop_front();
                    }
                }
                self.sampled = Some((now, self.max_ts));
            }
            Some(_) => {}
            None => self.sampled = Some((now, self.max_ts)),
        }
    }

    fn pace(&self) -> Option<f64> {
        // A burst (a backlog caught up) is one fast sample; the median ignores it.
        if self.paces.len() < 3 {
            return None;
        }
        let mut v: Vec<f64> = self.paces.iter().copied().collect();
        v.sort_by(f64::total_cmp);
        Some(v[v.len() / 2])
    }

    /// The fleet's "now" in data time. `flowing`: connected, caught up and not ended
    /// (otherwise the clock stands at the newest time received).
    pub fn now(&self, now: Instant, flowing: bool) -> i64 {
        match (self.sampled, self.pace()) {
            (Some((at, ts)), Some(pace)) if flowing && ts == self.max_ts => {
                let wall_ms = now.duration_since(at).as_secs_f64() * 1000.0;
                self.max_ts.saturating_add((wall_ms * pace) as i64)
            }
            _ => self.max_ts,
        }
    }
}

/// The newest time reached by at least `2 + n / 100` of the `n` trucks (all of them
/// when fewer): the k-th newest of their latest points. Up to k - 1 trucks with a
/// clock far ahead are outvoted. `latest` is reordered.
pub(crate) fn quorum_newest(latest: &mut [i64]) -> Option<i64> {
    let n = latest.len();
    if n == 0 {
        return None;
    }
    let k = (2 + n / 100).min(n);
    let (_, kth, _) = latest.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
    Some(*kth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn moves_at_the_feed_pace_only_while_flowing() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut c = DataClock::new();
        assert_eq!(c.now(t0, true), i64::MIN);
        // A replay at 60x: one minute of data per wall second, and a burst in between.
        let mut ts = 1_000_000i64;
        for i in 0..6u32 {
            ts += if i == 3 { 3_600_000 } else { 60_000 };
            c.tick(t0 + s * i, &mut [ts, ts], HOUR);
        }
        assert_eq!(c.now(t0 + s * 5, true), ts);
        // Silence: 10 wall seconds later the clock is 10 data minutes on (the median
        // pace ignores the burst), unless the feed stopped or ended.
        assert_eq!(c.now(t0 + s * 15, true), ts + 600_000);
        assert_eq!(c.now(t0 + s * 15, false), ts);
        // New data resets the anchor; older times never move the clock back.
        c.tick(t0 + s * 15, &mut [ts + 30_000, ts], HOUR);
        assert_eq!(c.now(t0 + s * 15, true), ts + 30_000);
        c.tick(t0 + s * 16, &mut [ts, ts], HOUR);
        assert_eq!(c.now(t0 + s * 16, false), ts + 30_000);
    }

    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_clock_hours_ahead_does_not_move_it_but_a_lone_reporter_does() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut c = DataClock::new();
        // Three trucks at 1 Hz of data per wall second, a fourth five hours ahead,
        // first seen at start-up and then all along.
        for i in 0..10i64 {
            let ts = 100 * HOUR + i * 1_000;
            c.tick(
                t0 + s * i as u32,
                &mut [ts, ts, ts - 500, ts + 5 * HOUR],
                HOUR,
            );
            assert_eq!(c.now(t0 + s * i as u32, false), ts);
        }
        // Two fall silent; the last one keeps reporting for two hours of data time
        // (in minute steps): the clock follows it, so the silent ones can go offline.
        let mut c = DataClock::new();
        let silent = 100 * HOUR;
        for m in 0..=120i64 {
            let ts = silent + m * 60_000;
            c.tick(t0 + s * m as u32, &mut [ts, silent, silent], HOUR);
        }
        assert_eq!(c.now(t0 + s * 120, false), silent + 2 * HOUR);
    }

    #[test]
    fn a_truck_far_ahead_is_outvoted() {
        let hour = 3_600_000i64;
        assert_eq!(quorum_newest(&mut []), None);
        // One truck alone is its own quorum.
        assert_eq!(quorum_newest(&mut [5 * hour]), Some(5 * hour));
        // Two trucks: the one five hours ahead does not set the time.
        assert_eq!(quorum_newest(&mut [5 * hour, 10]), Some(10));
        // A fleet of 1,000 with eleven trucks ahead: still outvoted (k = 12); the
        // honest trucks report within a minute of each other.
        let mut v: Vec<i64> = (0..1_000).map(|i| 100 * hour - (i % 60) * 1_000).collect();
        for x in v.iter_mut().take(11) {
            *x = 105 * hour;
        }
        assert_eq!(quorum_newest(&mut v), Some(100 * hour));
        // With twelve ahead the quorum moves: a real change of the fleet's time.
        v[11] = 105 * hour;
        assert_eq!(quorum_newest(&mut v), Some(105 * hour));
    }
}
