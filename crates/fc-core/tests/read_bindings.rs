//! The desktop read types as TypeScript sees them: the shapes of docs/IPC.md,
//! milliseconds as plain numbers (even without the shell's large-int setting), and
//! real coaching types instead of `unknown`.

use fc_core::{
    CacheStats, CoachReportDto, DataSourceDto, EventQueryDto, FleetKpis, FleetRow, FleetSnapshot,
    FuelSample, ImportRequestDto, SecretBackend, SensorHealth, TruckDetail,
};
use ts_rs::{Config, TS};

fn decl<T: TS>() -> String {
    T::decl(&Config::new())
}

#[test]
fn the_read_types_have_the_contracts_shapes() {
    let row = decl::<FleetRow>();
    for field in [
        "truck_id: string",
        "driver_id: string | null",
        "state: TruckState",
        "tank_l: number | null",
        "last_seen_ms: number | null",
        "open_alerts: number",
        "version: number",
    ] {
        assert!(row.contains(field), "{field} in {row}");
    }
    let snap = decl::<FleetSnapshot>();
    for field in [
        "version: number",
        "at_ms: number",
        "data_time_ms: number",
        "trucks: Array<FleetRow>",
    ] {
        assert!(snap.contains(field), "{field} in {snap}");
    }
    let kpis = decl::<FleetKpis>();
    assert!(
        kpis.contains("l_per_100km: number | null") && kpis.contains("day: string"),
        "{kpis}"
    );
    let detail = decl::<TruckDetail>();
    for field in [
        "truck: TruckRow",
        "from_ms: number",
        "series: Array<FuelSample>",
        "events: Array<StoredEventDto>",
        "ledger: TruckLedgerDto | null",
        "purchases: Array<PurchaseDto>",
        "sensor: SensorHealth",
    ] {
        assert!(detail.contains(field), "{field} in {detail}");
    }
    assert!(decl::<FuelSample>().contains("ts_ms: number"));
    assert!(decl::<SensorHealth>().contains("longest_gap_min: number | null"));
    assert!(decl::<CacheStats>().contains("hit_ratio: number | null"));
    let q = decl::<EventQueryDto>();
    assert!(
        q.contains("from_ms: number | null") && q.contains("alerts_only: boolean"),
        "{q}"
    );
    assert!(decl::<ImportRequestDto>().contains("files: Array<string>"));
    let src = decl::<DataSourceDto>();
    assert!(
        src.contains("kind: DataSourceKind") && src.contains("url: string | null"),
        "{src}"
    );
    assert!(
        fc_core::DataSourceKind::decl(&Config::new()).contains(r#""demo" | "feed""#),
        "{}",
        fc_core::DataSourceKind::decl(&Config::new())
    );
    assert!(SecretBackend::decl(&Config::new()).contains(r#""keychain" | "file""#));

    // The coaching report carries real types all the way down.
    let rep = decl::<CoachReportDto>();
    assert!(rep.contains("coaching: CoachingDto") && rep.contains("drivers: Array<DriverDto>"));
    for d in [
        fc_core::dto_analysis::CoachingDto::decl(&Config::new()),
        fc_core::dto_analysis::DriverDto::decl(&Config::new()),
    ] {
        assert!(!d.contains("unknown"), "{d}");
    }
    let metrics = fc_coach::Metrics::decl(&Config::new());
    assert!(
        metrics.contains("out_of_order: number") && !metrics.contains("bigint"),
        "{metrics}"
    );
    assert!(fc_coach::ExpectedModel::decl(&Config::new()).contains("rows: number"));
    assert!(!fc_coach::ExpectedModel::decl(&Config::new()).contains("cols"));
}
