//! `fuelcopilot`: the command-line face of the core API. It parses arguments,
//! calls `fc_core`, and renders results as translated text or as JSON.

mod analysis;
mod coach;
mod events;
mod fleet;
mod live;
mod ml;
mod render;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use fc_core::{Core, ExportRequest, ImportRequest};
use fc_i18n::{Lang, Translator};

/// Fleet fuel monitoring: import exports, keep a fuel ledger per truck, find refuels and thefts.
#[derive(Debug, Parser)]
#[command(name = "fuelcopilot", version, about, propagate_version = true)]
struct Cli {
    /// Database URL (`sqlite://PATH`); default: the embedded file in the app-data folder.
    #[arg(long, global = true, env = "FUELCOPILOT_DB")]
    db: Option<String>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Language of text output (`en` or `es`); default: preferences, then the system locale.
    #[arg(long, global = true)]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import telemetry, trucks.csv or purchases.csv (CSV, TSV or JSON Lines).
    Import(ImportArgs),
    /// Write stored telemetry as canonical CSV.
    Export(ExportArgs),
    /// List the trucks with their tanks and latest reading.
    Trucks,
    /// Per truck: points, time span, distance, fuel used, rejected rows.
    Summary,
    /// Show or change the fleet's settings (time zone, currency, fuel price, ...).
    Settings(SettingsArgs),
    /// Find fills and drains, keep the fuel ledger, reconcile purchases (files in memory, or the stored data).
    Analyze(analysis::AnalyzeArgs),
    /// Write a labelled simulated fleet (telemetry, trucks, purchases, labels).
    Simulate(analysis::SimulateArgs),
    /// Score the detector and two baselines against labels (a folder, or seeds of a profile).
    Eval(analysis::EvalArgs),
    /// Serve a live feed (protocol v1): the simulated fleet or a CSV replay; also the load generator.
    ServeFeed(live::ServeFeedArgs),
    /// Server mode: follow a feed (or the simulator) headless and expose the bus over WebSocket.
    Serve(live::ServeArgs),
    /// Train the theft model (simulated seeds, labelled folders, the database's verdicts).
    Train(ml::TrainArgs),
    /// Run the detector over the stored telemetry and store its events and alerts.
    Detect(events::DetectArgs),
    /// List stored fills, drains and sensor faults with their verdicts.
    Events(events::EventsArgs),
    /// Record a dispatcher's verdict on an event: confirmed or false_alarm (or clear).
    Verdict(events::VerdictArgs),
    /// List open alerts, or those after a sequence number; acknowledge one.
    Alerts(events::AlertsArgs),
    /// Driver scorecards and recommendations with their fuel and money savings.
    Coach(coach::CoachArgs),
    /// The fleet now: today's KPIs and one row per truck (state, fuel, position, alerts).
    Fleet,
    /// One truck: ledger, events and sensor health over a window (default: its last 48 h).
    Truck(fleet::TruckArgs),
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// Files to import.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Column-mapping file (TOML) for a foreign export.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// IANA time zone for timestamps without an offset; default: the fleet's.
    #[arg(long)]
    time_zone: Option<String>,
    /// Order of day, month and year in textual dates, when the file cannot tell.
    #[arg(long, value_enum)]
    date_order: Option<DateOrderArg>,
    /// Decimal separator of numbers when the file cannot tell (`1,234`).
    #[arg(long, value_enum)]
    decimal: Option<DecimalArg>,
    /// Force the kind of file instead of detecting it from the header.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Truck id for an export of a single vehicle that has no vehicle column.
    #[arg(long)]
    truck: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DecimalArg {
    Comma,
    Dot,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DateOrderArg {
    Dmy,
    Mdy,
    Ymd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Telemetry,
    Trucks,
    Purchases,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Output file; `-` or nothing for standard output.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Only these trucks (repeat the option for several).
    #[arg(long = "truck")]
    trucks: Vec<String>,
    /// Only points at or after this instant (RFC 3339).
    #[arg(long)]
    from: Option<String>,
    /// Only points before this instant (RFC 3339).
    #[arg(long)]
    to: Option<String>,
}

#[derive(Debug, Args)]
struct SettingsArgs {
    /// `KEY=VALUE` pairs to change, e.g. `time_zone=Europe/Madrid fuel_price_per_l=1.52`.
    set: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_else(|| fc_core::Preferences::load(&fc_core::paths::preferences_path()).lang());
    let tr = Translator::new(lang);
    let json = cli.json;
    match run(cli, &tr) {
        Ok(code) => code,
        Err(err) => {
            if json {
                let body = render::error_json(&err);
                println!("{body}");
            } else {
                eprintln!("{}", render::error_text(&tr, &err));
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli, tr: &Translator) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let db = cli
            .db
            .clone()
            .unwrap_or_else(fc_core::paths::default_db_url);
        // These do not need a database of their own (analysing files stores nothing).
        let command = match cli.command {
            Command::Analyze(args) => return analysis::analyze(args, &db, cli.json, tr).await,
            Command::Simulate(args) => return analysis::simulate(args, cli.json, tr),
            Command::Eval(args) => return analysis::eval(args, cli.json, tr),
            Command::ServeFeed(args) => return live::serve_feed(args, cli.json, tr).await,
            Command::Serve(args) => return live::serve(args, cli.db.clone(), cli.json, tr).await,
            Command::Train(args) => {
                // The database lends its verdicts when asked for or when it exists.
                let default = fc_core::paths::default_db_path();
                let db = cli
                    .db
                    .as_deref()
                    .map(str::to_string)
                    .or_else(|| default.exists().then(fc_core::paths::default_db_url));
                return ml::train(args, db.as_deref(), cli.json, tr).await;
            }
            other => other,
        };
        let core = Core::open(&db).await?;
        let code = match command {
            Command::Import(args) => import(&core, args, cli.json, tr).await?,
            Command::Coach(args) => coach::coach(&core, args, cli.json, tr).await?,
            Command::Export(args) => export(&core, args, cli.json, tr).await?,
            Command::Trucks => {
                let trucks = core.trucks().await?;
                emit(cli.json, &trucks, || render::trucks_text(tr, &trucks))?;
                ExitCode::SUCCESS
            }
            Command::Summary => {
                let summary = core.summary().await?;
                emit(cli.json, &summary, || render::summary_text(tr, &summary))?;
                ExitCode::SUCCESS
            }
            Command::Settings(args) => {
                for pair in &args.set {
                    let (k, v) =
                        pair.split_once('=')
                            .ok_or_else(|| fc_core::CoreError::Invalid {
                                what: pair.clone(),
                                why: "write settings as KEY=VALUE, e.g. time_zone=Europe/Madrid"
                                    .into(),
                            })?;
                    core.set_fleet_setting(k.trim(), v.trim()).await?;
                }
                let settings = core.fleet_settings().await?;
                emit(cli.json, &settings, || render::settings_text(tr, &settings))?;
                ExitCode::SUCCESS
            }
            Command::Detect(args) => events::detect(&core, args, cli.json, tr).await?,
            Command::Events(args) => events::events(&core, args, cli.json, tr).await?,
            Command::Verdict(args) => events::verdict(&core, args, cli.json, tr).await?,
            Command::Alerts(args) => events::alerts(&core, args, cli.json, tr).await?,
            Command::Fleet => fleet::fleet(&core, cli.json, tr).await?,
            Command::Truck(args) => fleet::truck(&core, args, cli.json, tr).await?,
            // Dispatched above, before the database is opened.
            Command::Analyze(_)
            | Command::Simulate(_)
            | Command::Eval(_)
            | Command::ServeFeed(_)
            | Command::Serve(_)
            | Command::Train(_) => ExitCode::SUCCESS,
        };
        core.close().await;
        Ok(code)
    })
}

fn emit<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", text())?;
    }
    Ok(())
}

async fn import(
    core: &Core,
    args: ImportArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let request = ImportRequest {
        files: args.files,
        mapping: args.mapping,
        time_zone: args.time_zone,
        date_order: args.date_order.map(|d| match d {
            DateOrderArg::Dmy => fc_core::DateOrder::Dmy,
            DateOrderArg::Mdy => fc_core::DateOrder::Mdy,
            DateOrderArg::Ymd => fc_core::DateOrder::Ymd,
        }),
        decimal: args.decimal.map(|d| match d {
            DecimalArg::Comma => fc_core::DecimalSep::Comma,
            DecimalArg::Dot => fc_core::DecimalSep::Dot,
        }),
        truck_id: args.truck,
        kind: args.kind.map(|k| match k {
            KindArg::Telemetry => fc_core::FileKind::Telemetry,
            KindArg::Trucks => fc_core::FileKind::Trucks,
            KindArg::Purchases => fc_core::FileKind::Purchases,
        }),
    };
    let mut progress = render::Progress::new(tr, json);
    let reports = core
        .import_files(&request, &mut |p| progress.update(p))
        .await;
    progress.finish();
    let reports = reports?;
    emit(json, &reports, || render::import_text(tr, &reports))?;
    // A file that could not be read at all fails the command; rejected rows do not.
    Ok(if reports.iter().any(|r| r.error.is_some()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn export(
    core: &Core,
    args: ExportArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let request = ExportRequest {
        trucks: args.trucks,
        from: args.from,
        to: args.to,
    };
    let to_stdout = args.out.as_ref().is_none_or(|p| p.as_os_str() == "-");
    let rows = if to_stdout {
        let stdout = std::io::stdout().lock();
        core.export_csv(&request, std::io::BufWriter::new(stdout))
            .await?
    } else {
        let path = args.out.clone().unwrap_or_default();
        core.export_csv_to_file(&request, &path).await?
    };
    if !to_stdout {
        let report = fc_core::ExportReport {
            rows,
            file: args.out.map(|p| p.display().to_string()),
        };
        emit(json, &report, || render::export_text(tr, &report))?;
    }
    Ok(ExitCode::SUCCESS)
}
