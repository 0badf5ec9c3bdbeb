//! The one core API of Fuel Copilot. The CLI, the server and the desktop shell
//! are thin faces over it; none of them holds business logic.

mod analysis_export;
mod analyze;
mod cache;
mod coach;
mod core;
pub mod data_source;
pub mod dto;
pub mod dto_analysis;
pub mod dto_events;
pub mod dto_reads;
mod error;
mod eval;
mod events;
mod fleet;
mod import;
mod live;
mod local_time;
pub mod ml;
mod outbox;
pub mod paths;
mod report_coach;
mod report_html;
pub mod secrets;
mod settings;
mod simulate;
mod summary;
mod truck_detail;

pub use crate::core::{Core, ExportRequest};
pub use analysis_export::{EVENTS_CSV_HEADER, ExportFormat, events_csv, write_analysis};
pub use analyze::{AnalyzeRequest, EventModel, analyze_files};
pub use cache::CacheStats;
pub use coach::{CoachRequest, coach_config, parse_period};
pub use data_source::{DataSourceDto, DataSourceKind, DemoSettings};
pub use dto::{
    AppInfo, ErrorDto, ExportReport, FileImportReport, ImportNote, ImportProgress, TankDto,
    TruckRow, TruckSummary,
};
pub use dto_analysis::{AnalysisReport, EvalReport, SimulationReport};
pub use dto_events::{AlertDto, StoredEventDto, VerdictDto};
pub use dto_reads::{CoachReportDto, EventQueryDto, ImportRequestDto};
pub use error::{CoreError, Result};
pub use eval::{EvalRequest, evaluate};
pub use events::{
    DetectReport, EventQuery, EventScores, alert_for, event_record, fuel_event, parse_verdict,
};
pub use fc_coach::{CoachReport, DriverCard, Recommendation};
pub use fc_import::FileKind;
pub use fc_sim::{Profile as SimProfile, SimConfig};
pub use fc_store::VerdictKind;
pub use fleet::{FleetKpis, FleetRow, FleetSnapshot};
pub use import::{DateOrder, DecimalSep, ImportRequest};
pub use live::{
    Alert, AlertKind, BusServerConfig, Chaos, FeedServeOptions, FeedSource, FleetStats, LiveHandle,
    LiveSource, TruckUpdate, TruckUpdateBatch, random_token, serve_feed,
};
pub use local_time::{local_minutes, local_time};
pub use ml::{
    DEFAULT_TRAIN_SEEDS, ModelLoad, TheftModel, TrainReport, TrainRequest, default_model_path,
    load_model, train,
};
pub use report_coach::{coach_text, recommendation_text};
pub use report_html::{render_html, write_html};
pub use secrets::{SecretBackend, Secrets};
pub use settings::{FleetSettings, Preferences, parse_tz};
pub use simulate::{parse_profile, simulate};
pub use truck_detail::{FuelSample, SensorHealth, TruckDetail};

/// Name and version of this build, for about boxes and `--version`.
pub fn app_info() -> AppInfo {
    AppInfo {
        name: "Fuel Copilot".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}
