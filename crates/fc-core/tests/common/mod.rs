//! Helpers shared by the core's integration tests.

use std::path::{Path, PathBuf};

use fc_core::{SimProfile, TrainReport, TrainRequest, train};

/// Trains the theft model on a small `hard` fleet (seed 1001, 16 trucks x 10
/// days) into `dir/model.json`: the file and the training report.
pub fn train_small(dir: &Path) -> (PathBuf, TrainReport) {
    let out = dir.join("model.json");
    let report = train(
        &TrainRequest {
            profile: Some(SimProfile::Hard),
            seeds: vec![1001],
            trucks: 16,
            days: 10,
            out: Some(out.clone()),
            ..TrainRequest::default()
        },
        &mut |_| {},
    )
    .expect("train");
    (out, report)
}
