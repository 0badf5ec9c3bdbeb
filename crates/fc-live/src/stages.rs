//! Where a point's time goes between the feed and the bus: one histogram per
//! stage of the pipeline, so that a latency figure can be taken apart (the
//! benchmark prints them; `Live::stages` reads them).

use std::time::Duration;

/// A stage of the way from the feed to the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Emission at the gateway to the pipeline taking the batch (network, the
    /// client's decoding, the bounded queue), per point.
    Queue,
    /// The pipeline taking a batch to its flush starting (the ~20 ms window), per flush.
    Window,
    /// Detectors and live rules over a flush's points (scoring and rollups apart).
    Detect,
    /// The model's tracks and scores.
    Score,
    /// Rollup builders: pushing the points, and taking the trucks' snapshots.
    Rollups,
    /// A prepared flush waiting for the committer (one commit in flight).
    Handoff,
    /// The store's `write_batch` (one transaction).
    Commit,
    /// Acking and publishing once committed.
    Publish,
    /// The committer writing rollups (after publishing, before the next commit).
    RollupWrite,
    /// Emission to the first `truck-update` carrying the point, per point.
    FeedToBus,
}

/// Every stage, in path order.
pub const STAGES: [Stage; 10] = [
    Stage::Queue,
    Stage::Window,
    Stage::Detect,
    Stage::Score,
    Stage::Rollups,
    Stage::Handoff,
    Stage::Commit,
    Stage::Publish,
    Stage::RollupWrite,
    Stage::FeedToBus,
];

impl Stage {
    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Queue => "queue",
            Stage::Window => "window",
            Stage::Detect => "detect",
            Stage::Score => "score",
            Stage::Rollups => "rollups",
            Stage::Handoff => "handoff",
            Stage::Commit => "commit",
            Stage::Publish => "publish",
            Stage::RollupWrite => "rollup-write",
            Stage::FeedToBus => "feed-to-bus",
        }
    }
}

/// Log-linear buckets: 16 µs wide below 1 ms, then 32 per doubling (~3%).
const LINEAR: u64 = 1_024;
const SUB: u32 = 32;
const BUCKETS: usize = 64 + 40 * SUB as usize;

fn bucket(us: u64) -> usize {
    if us < LINEAR {
        return (us / 16) as usize;
    }
    let e = 63 - us.leading_zeros(); // >= 10
    let mant = (us >> (e - 5)) & u64::from(SUB - 1);
    (64 + (e - 10) as usize * SUB as usize + mant as usize).min(BUCKETS - 1)
}

fn lower_bound(b: usize) -> u64 {
    if b < 64 {
        return b as u64 * 16;
    }
    let e = (b - 64) / SUB as usize + 10;
    let mant = ((b - 64) % SUB as usize) as u64;
    (u64::from(SUB) + mant) << (e - 5)
}

/// One stage's histogram.
#[derive(Debug, Clone)]
struct Hist {
    weight: u64,
    samples: u64,
    total_us: u64,
    max_us: u64,
    buckets: Vec<u64>,
}

impl Hist {
    fn new() -> Hist {
        Hist {
            weight: 0,
            samples: 0,
            total_us: 0,
            max_us: 0,
            buckets: vec![0; BUCKETS],
        }
    }

    fn at(&self, q: f64) -> u64 {
        if self.weight == 0 {
            return 0;
        }
        let rank = ((q * self.weight as f64).ceil() as u64).max(1);
        let mut acc = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            acc += n;
            if acc >= rank {
                return lower_bound(i).min(self.max_us);
            }
        }
        self.max_us
    }
}

/// The histograms of every stage.
#[derive(Debug, Clone)]
pub struct StageTimings {
    hists: Vec<Hist>,
}

impl Default for StageTimings {
    fn default() -> Self {
        StageTimings {
            hists: STAGES.iter().map(|_| Hist::new()).collect(),
        }
    }
}

/// One stage's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct StageSummary {
    /// The stage.
    pub stage: Stage,
    /// Samples (flushes, or batches for the per-point stages).
    pub samples: u64,
    /// Their weight (points for the per-point stages, else samples).
    pub weight: u64,
    /// Mean per sample, ms.
    pub mean_ms: f64,
    /// Weighted percentiles, ms (bucket lower bounds, ~3%).
    pub p50_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Largest, ms.
    pub max_ms: f64,
    /// Time spent in the stage, s (summed over samples).
    pub total_s: f64,
}

impl StageTimings {
    /// Records one sample of `d` weighing `weight` (points, or 1).
    pub fn record(&mut self, stage: Stage, d: Duration, weight: u64) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let h = &mut self.hists[stage as usize];
        h.weight += weight;
        h.samples += 1;
        h.total_us = h.total_us.saturating_add(us);
        h.max_us = h.max_us.max(us);
        h.buckets[bucket(us)] += weight;
    }

    /// The figures of every stage that has samples, in path order.
    pub fn summary(&self) -> Vec<StageSummary> {
        STAGES
            .iter()
            .zip(&self.hists)
            .filter(|(_, h)| h.samples > 0)
            .map(|(s, h)| StageSummary {
                stage: *s,
                samples: h.samples,
                weight: h.weight,
                mean_ms: h.total_us as f64 / h.samples as f64 / 1000.0,
                p50_ms: h.at(0.5) as f64 / 1000.0,
                p99_ms: h.at(0.99) as f64 / 1000.0,
                max_ms: h.max_us as f64 / 1000.0,
                total_s: h.total_us as f64 / 1e6,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_ordered_and_tight() {
        let mut last = 0;
        for us in [0u64, 15, 16, 1_000, 1_023, 1_024, 1_100, 20_000, 1 << 30] {
            let b = bucket(us);
            assert!(b >= last, "{us}");
            last = b;
            let lo = lower_bound(b);
            assert!(lo <= us && us - lo <= (us / 32).max(16), "{us}: {lo}");
        }
    }

    #[test]
    fn percentiles_weigh_points() {
        let mut t = StageTimings::default();
        t.record(Stage::FeedToBus, Duration::from_millis(10), 98);
        t.record(Stage::FeedToBus, Duration::from_millis(40), 1);
        t.record(Stage::FeedToBus, Duration::from_millis(90), 1);
        t.record(Stage::Commit, Duration::from_millis(3), 1);
        let s = t.summary();
        assert_eq!(
            s.iter().map(|s| s.stage).collect::<Vec<_>>(),
            [Stage::Commit, Stage::FeedToBus]
        );
        let f = &s[1];
        assert_eq!((f.samples, f.weight, f.max_ms), (3, 100, 90.0));
        assert!((f.p50_ms - 10.0).abs() < 0.4, "{f:?}");
        assert!((f.p99_ms - 40.0).abs() < 1.3, "{f:?}");
        assert!((f.mean_ms - 140.0 / 3.0).abs() < 1e-9, "{f:?}");
    }
}
