//! `fuelcopilot coach`: driver scorecards and recommendations from the stored
//! rollups (built at import), as translated text or JSON.

use std::process::ExitCode;

use clap::Args;
use fc_core::{CoachRequest, Core};
use fc_i18n::Translator;

/// Options of `fuelcopilot coach`.
#[derive(Debug, Args)]
pub struct CoachArgs {
    /// Only this driver's card (percentiles still compare with the whole fleet).
    #[arg(long)]
    driver: Option<String>,
    /// `30d` (default), `4w`, `2024-03`, `2024-03-01..2024-03-31` or one day;
    /// relative periods end on the last day with data.
    #[arg(long)]
    period: Option<String>,
}

/// Runs the command.
pub async fn coach(
    core: &Core,
    args: CoachArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let report = core
        .coach(&CoachRequest {
            driver: args.driver,
            period: args.period,
        })
        .await?;
    let prefs = fc_core::Preferences::load(&fc_core::paths::preferences_path());
    crate::emit(json, &report, || {
        fc_core::coach_text(&report, tr.lang(), prefs.units())
    })?;
    Ok(ExitCode::SUCCESS)
}
