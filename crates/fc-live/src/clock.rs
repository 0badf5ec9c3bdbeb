//! The fleet's data clock: the offline rule runs in the feed's time, so that a
//! replay at k x real time marks a truck offline after an hour of *data* time
//! without a point, never by the wall clock of the machine replaying it.
//!
//! The clock is the newest timestamp received; while the feed is connected,
//! caught up and not ended, it keeps moving at the feed's own pace (data time
//! per wall time, the median of recent advances), so that a fleet that falls
//! silent all at once still goes offline. A finished replay freezes the clock.

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

    /// A received point's time (or a stored one, at warm-up).
    #[inline]
    pub fn observe(&mut self, ts: i64) {
        self.max_ts = self.max_ts.max(ts);
    }

    /// Called on every stats tick: measures the feed's pace from the data that came.
    pub fn tick(&mut self, now: Instant) {
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
            c.observe(ts);
            c.tick(t0 + s * i);
        }
        assert_eq!(c.now(t0 + s * 5, true), ts);
        // Silence: 10 wall seconds later the clock is 10 data minutes on (the median
        // pace ignores the burst), unless the feed stopped or ended.
        assert_eq!(c.now(t0 + s * 15, true), ts + 600_000);
        assert_eq!(c.now(t0 + s * 15, false), ts);
        // New data resets the anchor.
        c.observe(ts + 30_000);
        assert_eq!(c.now(t0 + s * 15, true), ts + 30_000);
    }
}
