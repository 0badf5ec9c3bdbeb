//! Header names: canonical names, common foreign aliases (English/Spanish and tracker
//! vendors' spellings), units written in headers, and the column plan built from them.

use fc_model::Field;
use fc_model::units::Unit;
use serde::Serialize;

use crate::mapping::Mapping;
use crate::num::unit_name;
use crate::options::{DateOrder, DecimalSep, FileKind};
use crate::report::Note;

/// What a column feeds (serialised as its canonical name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A canonical telemetry field (`truck_id` and `ts` also serve trucks and purchases).
    Field(Field),
    /// Date half of a split timestamp.
    Date,
    /// Time-of-day half of a split timestamp.
    TimeOfDay,
    /// Truck display name (trucks file).
    Name,
    /// Fuel type (trucks file).
    FuelType,
    /// Capacity of tank `n` (0-based), litres (trucks file).
    TankL(u8),
    /// Calibration table of tank `n` (trucks file).
    Calibration(u8),
    /// Billed volume (purchases file).
    Litres,
    /// Price per litre (purchases file).
    PricePerL,
    /// Billed amount; gives the price when no price column exists (purchases file).
    Amount,
    /// Fuel card id (purchases file).
    CardId,
    /// Station (purchases file).
    Station,
    /// Latitude and longitude in one cell (`40.4168, -3.7038`).
    LatLon,
    /// Read nothing from this column.
    Ignore,
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Most tanks per truck a trucks file can describe.
pub const MAX_TANKS: u8 = 4;

const TANK_NAMES: [&str; MAX_TANKS as usize] = ["tank_l", "tank_l_2", "tank_l_3", "tank_l_4"];
const CAL_NAMES: [&str; MAX_TANKS as usize] = [
    "calibration",
    "calibration_2",
    "calibration_3",
    "calibration_4",
];

impl Target {
    /// Canonical name (`speed_kmh`, `date`, `tank_l_2`, `price_per_l`, `ignore`...).
    pub fn name(self) -> &'static str {
        match self {
            Target::Field(f) => f.name(),
            Target::Date => "date",
            Target::TimeOfDay => "time",
            Target::Name => "name",
            Target::FuelType => "fuel_type",
            Target::TankL(n) => TANK_NAMES.get(usize::from(n)).copied().unwrap_or("tank_l"),
            Target::Calibration(n) => CAL_NAMES
                .get(usize::from(n))
                .copied()
                .unwrap_or("calibration"),
            Target::Litres => "litres",
            Target::PricePerL => "price_per_l",
            Target::Amount => "amount",
            Target::CardId => "card_id",
            Target::Station => "station",
            Target::LatLon => "lat_lon",
            Target::Ignore => "ignore",
        }
    }

    /// Parses a canonical target name (as written in mapping files).
    pub fn from_name(name: &str) -> Option<Target> {
        let n = name.trim().to_ascii_lowercase();
        if let Some(f) = Field::from_name(&n) {
            return Some(Target::Field(f));
        }
        if let Some(i) = TANK_NAMES.iter().position(|t| *t == n) {
            return Some(Target::TankL(i as u8));
        }
        if let Some(i) = CAL_NAMES.iter().position(|t| *t == n) {
            return Some(Target::Calibration(i as u8));
        }
        Some(match n.as_str() {
            "date" => Target::Date,
            "time" | "time_of_day" => Target::TimeOfDay,
            "name" => Target::Name,
            "fuel_type" => Target::FuelType,
            "litres" | "liters" => Target::Litres,
            "price_per_l" => Target::PricePerL,
            "amount" => Target::Amount,
            "card_id" => Target::CardId,
            "station" => Target::Station,
            "lat_lon" => Target::LatLon,
            "ignore" | "skip" | "" => Target::Ignore,
            _ => return None,
        })
    }

    /// Whether a file of `kind` reads this target.
    pub fn belongs_to(self, kind: FileKind) -> bool {
        use Target as T;
        match (self, kind) {
            (T::Ignore | T::Field(Field::TruckId), _) => true,
            (T::Field(Field::Ts) | T::Date | T::TimeOfDay, FileKind::Trucks) => false,
            (T::Field(Field::Ts) | T::Date | T::TimeOfDay, _) => true,
            (T::Field(Field::Lat | Field::Lon) | T::LatLon, FileKind::Purchases) => true,
            (T::LatLon, k) => k == FileKind::Telemetry,
            (T::Field(_), k) => k == FileKind::Telemetry,
            (T::Name | T::FuelType | T::TankL(_) | T::Calibration(_), k) => k == FileKind::Trucks,
            (T::Litres | T::PricePerL | T::Amount | T::CardId | T::Station, k) => {
                k == FileKind::Purchases
            }
        }
    }

    /// Whether values of this target may be given in `unit` (converted to canonical).
    pub fn accepts(self, unit: Unit) -> bool {
        use Unit as U;
        let Some(q) = self.quantity() else {
            return false;
        };
        match q {
            U::Km => matches!(unit.canonical(), U::Km | U::M),
            _ => unit.canonical() == q,
        }
    }

    /// The canonical unit of the target's values, for numeric targets.
    fn quantity(self) -> Option<Unit> {
        use Field as F;
        Some(match self {
            Target::Field(F::Lat | F::Lon) => Unit::Deg,
            Target::Field(F::SpeedKmh) => Unit::Kmh,
            Target::Field(F::Rpm) => Unit::Rpm,
            Target::Field(F::FuelLevelPct | F::FuelLevelPct2) => Unit::Pct,
            Target::Field(F::FuelL | F::FuelL2 | F::FuelUsedL) => Unit::L,
            Target::TankL(_) | Target::Litres | Target::PricePerL => Unit::L,
            Target::Field(F::FuelRateLph) => Unit::Lph,
            Target::Field(F::OdometerKm) => Unit::Km,
            Target::Field(F::EngineHours) => Unit::H,
            Target::Field(F::AltM) => Unit::M,
            Target::Field(F::AmbientTempC) => Unit::C,
            _ => return None,
        })
    }

    /// Converts a value in `unit` into this target's canonical unit.
    pub fn convert(self, unit: Unit, v: f64, density_kg_per_l: f64) -> f64 {
        match self {
            // A price per gallon is a price per (litres in a gallon).
            Target::PricePerL => v / unit.to_canonical(1.0, density_kg_per_l),
            Target::Field(Field::OdometerKm) if unit.canonical() == Unit::M => {
                unit.to_canonical(v, density_kg_per_l) / 1000.0
            }
            _ => unit.to_canonical(v, density_kg_per_l),
        }
    }
}

/// How a column's target was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The header is the canonical name.
    Canonical,
    /// A recognised foreign name.
    Alias,
    /// The mapping file.
    Mapping,
    /// Position in a header-less file.
    Position,
    /// Not recognised.
    Unknown,
}

/// How one column is read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnPlan {
    /// 0-based position in the row (CSV) or first-seen order (JSON Lines).
    pub index: usize,
    /// Header as written.
    pub header: String,
    /// What it feeds.
    pub target: Target,
    /// Unit of the values when not canonical (values with a glued unit use theirs).
    pub unit: Option<Unit>,
    /// How the target was decided.
    pub origin: Origin,
    /// Decimal separator of the column.
    pub decimal: DecimalSep,
    /// Order of numeric dates (timestamp and date columns).
    pub date_order: Option<DateOrder>,
    /// Explicit chrono format from the mapping file.
    pub format: Option<String>,
    /// Fuel density for mass flow, kg/L.
    pub density_kg_per_l: f64,
    /// Multiplier applied before unit conversion (mapping file).
    pub scale: f64,
    /// Added after scaling, before unit conversion (mapping file).
    pub offset: f64,
    /// JSON Lines: another key names the same field better; this one is read only when
    /// that key is absent or null in a line.
    pub fallback: bool,
    /// Zone of naive timestamps written in the header (`Time (America/Chicago)`).
    #[serde(skip)]
    pub zone: Option<chrono_tz::Tz>,
}

type Alias = (&'static str, Target, u8, Option<Unit>);

const fn f(name: &'static str, field: Field, prio: u8) -> Alias {
    (name, Target::Field(field), prio, None)
}

const fn fu(name: &'static str, field: Field, prio: u8, unit: Unit) -> Alias {
    (name, Target::Field(field), prio, Some(unit))
}

const fn t(name: &'static str, target: Target, prio: u8) -> Alias {
    (name, target, prio, None)
}

/// Names for a date-only column (paired with a time column into `ts`).
const DATE_NAMES: &[&str] = &[
    "date",
    "fecha",
    "gps_date",
    "dia",
    "day",
    "fecha_gps",
    "date_local",
    "local_date",
    "utc_date",
    "date_utc",
    "fix_date",
    "transaction_date",
    "fecha_transaccion",
    "datum",
    "data",
    "report_date",
    "event_date",
    "fecha_evento",
];

/// Names for a time-of-day column.
const TIME_NAMES: &[&str] = &[
    "time",
    "hora",
    "gps_time",
    "time_local",
    "local_time",
    "utc_time",
    "time_utc",
    "fix_time",
    "hour",
    "transaction_time",
    "hora_transaccion",
    "hora_gps",
    "zeit",
    "report_time",
    "event_time",
    "hora_evento",
];

use Field as F;

/// Telemetry names (and `truck_id`/`ts`/`lat`/`lon`, shared with the other kinds).
/// Priority decides between several columns naming the same field.
const COMMON: &[Alias] = &[
    // vehicle
    f("truck", F::TruckId, 95),
    f("truckid", F::TruckId, 95),
    f("truck_no", F::TruckId, 90),
    f("truck_number", F::TruckId, 90),
    f("vehicle_id", F::TruckId, 92),
    f("vehicleid", F::TruckId, 92),
    f("vehicle", F::TruckId, 90),
    f("vehicle_no", F::TruckId, 88),
    f("vehicle_number", F::TruckId, 88),
    f("vehicle_name", F::TruckId, 85),
    f("vehicle_code", F::TruckId, 85),
    f("fleet_number", F::TruckId, 80),
    f("fleet_no", F::TruckId, 80),
    f("unit_id", F::TruckId, 75),
    f("unit_name", F::TruckId, 74),
    f("unit", F::TruckId, 70),
    f("device_id", F::TruckId, 72),
    f("deviceid", F::TruckId, 72),
    f("device_name", F::TruckId, 71),
    f("device", F::TruckId, 70),
    f("asset_id", F::TruckId, 72),
    f("asset_name", F::TruckId, 71),
    f("asset", F::TruckId, 70),
    f("camion", F::TruckId, 92),
    f("camion_id", F::TruckId, 95),
    f("id_camion", F::TruckId, 95),
    f("vehiculo", F::TruckId, 90),
    f("vehiculo_id", F::TruckId, 92),
    f("id_vehiculo", F::TruckId, 92),
    f("unidad", F::TruckId, 75),
    f("unidad_id", F::TruckId, 76),
    f("id_unidad", F::TruckId, 76),
    f("movil", F::TruckId, 70),
    f("object", F::TruckId, 60),
    // Wialon reports name the unit column after the report grouping.
    f("grouping", F::TruckId, 55),
    f("agrupacion", F::TruckId, 55),
    f("objeto", F::TruckId, 60),
    f("tracker_id", F::TruckId, 55),
    f("tracker", F::TruckId, 55),
    f("imei", F::TruckId, 50),
    f("plate", F::TruckId, 50),
    f("license_plate", F::TruckId, 50),
    f("plate_number", F::TruckId, 50),
    f("registration", F::TruckId, 50),
    f("placa", F::TruckId, 50),
    f("patente", F::TruckId, 50),
    f("matricula", F::TruckId, 50),
    // time
    f("timestamp", F::Ts, 95),
    f("time_stamp", F::Ts, 94),
    f("timestamp_utc", F::Ts, 95),
    f("utc_timestamp", F::Ts, 95),
    f("datetime", F::Ts, 90),
    f("date_time", F::Ts, 90),
    f("datetime_utc", F::Ts, 90),
    f("date_and_time", F::Ts, 88),
    f("gps_datetime", F::Ts, 90),
    f("device_time", F::Ts, 88),
    f("devicetime", F::Ts, 88),
    f("position_time", F::Ts, 86),
    f("recorded_at", F::Ts, 85),
    f("fecha_hora", F::Ts, 90),
    f("fechahora", F::Ts, 90),
    f("fecha_y_hora", F::Ts, 90),
    f("hora_fecha", F::Ts, 88),
    f("marca_de_tiempo", F::Ts, 88),
    f("epoch", F::Ts, 80),
    f("unix_time", F::Ts, 80),
    f("unixtime", F::Ts, 80),
    f("created_at", F::Ts, 40),
    f("server_time", F::Ts, 30),
    f("servertime", F::Ts, 30),
    f("received_at", F::Ts, 30),
    // position
    f("latitude", F::Lat, 90),
    f("latitud", F::Lat, 90),
    f("gps_lat", F::Lat, 85),
    f("gps_latitude", F::Lat, 85),
    f("y", F::Lat, 20),
    f("longitude", F::Lon, 90),
    f("longitud", F::Lon, 90),
    f("lng", F::Lon, 90),
    f("long", F::Lon, 85),
    f("gps_lon", F::Lon, 85),
    f("gps_lng", F::Lon, 85),
    f("gps_longitude", F::Lon, 85),
    f("x", F::Lon, 20),
    t("coordinates", Target::LatLon, 80),
    t("coords", Target::LatLon, 80),
    t("coordenadas", Target::LatLon, 80),
    t("gps_coordinates", Target::LatLon, 80),
    t("lat_lon", Target::LatLon, 85),
    t("latlon", Target::LatLon, 85),
    t("lat_lng", Target::LatLon, 85),
    t("latlng", Target::LatLon, 85),
    t("position", Target::LatLon, 60),
    t("posicion", Target::LatLon, 60),
    t("ubicacion", Target::LatLon, 50),
    t("location", Target::LatLon, 40),
    t("gps", Target::LatLon, 40),
    // motion
    f("speed", F::SpeedKmh, 90),
    f("velocity", F::SpeedKmh, 85),
    f("velocidad", F::SpeedKmh, 90),
    f("vel", F::SpeedKmh, 70),
    f("spd", F::SpeedKmh, 70),
    f("gps_speed", F::SpeedKmh, 80),
    f("ground_speed", F::SpeedKmh, 80),
    f("vehicle_speed", F::SpeedKmh, 85),
    f("wheel_speed", F::SpeedKmh, 85),
    f("wheel_based_speed", F::SpeedKmh, 85),
    f("can_speed", F::SpeedKmh, 85),
    f("obd_speed", F::SpeedKmh, 85),
    f("rpm", F::Rpm, 95),
    f("engine_rpm", F::Rpm, 95),
    f("engine_speed", F::Rpm, 90),
    f("revs", F::Rpm, 80),
    f("rpm_motor", F::Rpm, 90),
    f("revoluciones", F::Rpm, 85),
    f("rev", F::Rpm, 60),
    f("can_rpm", F::Rpm, 90),
    // fuel
    f("fuel_level", F::FuelLevelPct, 90),
    f("fuel_lvl", F::FuelLevelPct, 88),
    f("fuel_level_percent", F::FuelLevelPct, 95),
    f("fuel_percent", F::FuelLevelPct, 92),
    f("fuel_pct", F::FuelLevelPct, 92),
    f("fuel_tank_level", F::FuelLevelPct, 85),
    f("tank_level", F::FuelLevelPct, 80),
    f("fuel_gauge", F::FuelLevelPct, 80),
    f("fuel", F::FuelLevelPct, 60),
    f("can_fuel_level", F::FuelLevelPct, 85),
    f("nivel_combustible", F::FuelLevelPct, 90),
    f("nivel_de_combustible", F::FuelLevelPct, 90),
    f("combustible", F::FuelLevelPct, 60),
    f("nivel_tanque", F::FuelLevelPct, 80),
    f("fuel_l", F::FuelL, 95),
    f("fuel_litres", F::FuelL, 95),
    f("fuel_liters", F::FuelL, 95),
    f("fuel_volume", F::FuelL, 90),
    f("fuel_in_tank", F::FuelL, 85),
    f("fuel_remaining", F::FuelL, 80),
    f("litros", F::FuelL, 70),
    f("litros_combustible", F::FuelL, 88),
    f("combustible_litros", F::FuelL, 88),
    f("fuel_used", F::FuelUsedL, 95),
    f("total_fuel_used", F::FuelUsedL, 95),
    f("total_fuel", F::FuelUsedL, 85),
    f("fuel_consumed", F::FuelUsedL, 90),
    f("fuel_total", F::FuelUsedL, 85),
    f("engine_total_fuel_used", F::FuelUsedL, 95),
    f("fuel_counter", F::FuelUsedL, 80),
    f("combustible_consumido", F::FuelUsedL, 90),
    f("consumo_total", F::FuelUsedL, 85),
    f("consumo_acumulado", F::FuelUsedL, 85),
    f("fuel_rate", F::FuelRateLph, 95),
    f("fuel_flow", F::FuelRateLph, 90),
    f("fuel_consumption_rate", F::FuelRateLph, 90),
    f("instant_fuel", F::FuelRateLph, 80),
    f("engine_fuel_rate", F::FuelRateLph, 95),
    f("consumo_instantaneo", F::FuelRateLph, 90),
    f("caudal_combustible", F::FuelRateLph, 90),
    f("flujo_combustible", F::FuelRateLph, 90),
    // counters
    f("odometer", F::OdometerKm, 95),
    f("odo", F::OdometerKm, 85),
    f("mileage", F::OdometerKm, 85),
    f("odometro", F::OdometerKm, 95),
    f("kilometraje", F::OdometerKm, 90),
    f("total_distance", F::OdometerKm, 80),
    f("total_km", F::OdometerKm, 80),
    f("hubometer", F::OdometerKm, 75),
    f("can_odometer", F::OdometerKm, 90),
    f("gps_odometer", F::OdometerKm, 85),
    fu("km", F::OdometerKm, 60, Unit::Km),
    fu("kilometers", F::OdometerKm, 60, Unit::Km),
    fu("kilometros", F::OdometerKm, 60, Unit::Km),
    f("engine_hours", F::EngineHours, 95),
    f("engine_hrs", F::EngineHours, 92),
    f("eng_hours", F::EngineHours, 90),
    f("engine_time", F::EngineHours, 80),
    f("hour_meter", F::EngineHours, 85),
    f("hourmeter", F::EngineHours, 85),
    f("hours", F::EngineHours, 60),
    f("moto_hours", F::EngineHours, 85),
    f("motohours", F::EngineHours, 85),
    f("horas_motor", F::EngineHours, 90),
    f("horometro", F::EngineHours, 90),
    // states
    f("ignition", F::Ignition, 95),
    f("ign", F::Ignition, 90),
    f("ignition_on", F::Ignition, 90),
    f("ignition_status", F::Ignition, 90),
    f("ignition_state", F::Ignition, 90),
    f("engine_on", F::Ignition, 80),
    f("acc", F::Ignition, 70),
    f("key_on", F::Ignition, 70),
    f("contacto", F::Ignition, 90),
    f("encendido", F::Ignition, 85),
    f("ignicion", F::Ignition, 90),
    f("driver", F::DriverId, 90),
    f("driver_name", F::DriverId, 85),
    f("driver_code", F::DriverId, 88),
    f("driver_card", F::DriverId, 80),
    f("operator", F::DriverId, 70),
    f("ibutton", F::DriverId, 70),
    f("conductor", F::DriverId, 90),
    f("conductor_id", F::DriverId, 92),
    f("id_conductor", F::DriverId, 92),
    f("chofer", F::DriverId, 88),
    f("operador", F::DriverId, 80),
    f("power_take_off", F::Pto, 90),
    f("pto_status", F::Pto, 90),
    f("pto_state", F::Pto, 90),
    f("toma_fuerza", F::Pto, 90),
    f("toma_de_fuerza", F::Pto, 90),
    // environment
    f("alt", F::AltM, 90),
    f("altitude", F::AltM, 95),
    f("altitud", F::AltM, 95),
    f("elevation", F::AltM, 85),
    f("elevacion", F::AltM, 85),
    f("height", F::AltM, 60),
    f("gps_altitude", F::AltM, 90),
    f("ambient_temp", F::AmbientTempC, 95),
    f("ambient_temperature", F::AmbientTempC, 95),
    f("ambient_air_temp", F::AmbientTempC, 95),
    f("outside_temp", F::AmbientTempC, 90),
    f("outside_temperature", F::AmbientTempC, 90),
    f("external_temp", F::AmbientTempC, 85),
    f("air_temp", F::AmbientTempC, 80),
    f("amb_temp", F::AmbientTempC, 85),
    f("temperature", F::AmbientTempC, 60),
    f("temp", F::AmbientTempC, 55),
    f("temperatura", F::AmbientTempC, 60),
    f("temp_ambiente", F::AmbientTempC, 90),
    f("temperatura_ambiente", F::AmbientTempC, 90),
    f("temperatura_exterior", F::AmbientTempC, 90),
    // second tank
    f("fuel_level_2", F::FuelLevelPct2, 90),
    f("fuel_level2", F::FuelLevelPct2, 90),
    f("fuel_2", F::FuelLevelPct2, 70),
    f("fuel2", F::FuelLevelPct2, 70),
    f("fuel_pct_2", F::FuelLevelPct2, 92),
    f("tank_2_level", F::FuelLevelPct2, 85),
    f("tank2_level", F::FuelLevelPct2, 85),
    f("nivel_combustible_2", F::FuelLevelPct2, 90),
    f("fuel_litres_2", F::FuelL2, 95),
    f("fuel_liters_2", F::FuelL2, 95),
    f("fuel_volume_2", F::FuelL2, 90),
    f("tank_2_l", F::FuelL2, 85),
    f("tank2_l", F::FuelL2, 85),
    // low-priority generic names
    f("name", F::TruckId, 30),
];

const TRUCKS: &[Alias] = &[
    t("name", Target::Name, 95),
    t("truck_name", Target::Name, 95),
    t("vehicle_name", Target::Name, 90),
    t("display_name", Target::Name, 90),
    t("nombre", Target::Name, 90),
    t("description", Target::Name, 70),
    t("descripcion", Target::Name, 70),
    t("fuel_type", Target::FuelType, 95),
    t("fuel", Target::FuelType, 70),
    t("combustible", Target::FuelType, 70),
    t("tipo_combustible", Target::FuelType, 90),
    t("tank", Target::TankL(0), 85),
    t("tank_capacity", Target::TankL(0), 90),
    t("tank_size", Target::TankL(0), 90),
    t("capacity", Target::TankL(0), 80),
    t("capacidad", Target::TankL(0), 80),
    t("capacidad_tanque", Target::TankL(0), 90),
    t("tanque", Target::TankL(0), 85),
    t("tank_1", Target::TankL(0), 85),
    t("tank_l_1", Target::TankL(0), 90),
    t("tank_2", Target::TankL(1), 85),
    t("tank2", Target::TankL(1), 85),
    t("tank_2_capacity", Target::TankL(1), 90),
    t("tank_3", Target::TankL(2), 85),
    t("tank_4", Target::TankL(3), 85),
    t("calibration_table", Target::Calibration(0), 90),
    t("calibration_1", Target::Calibration(0), 90),
    t("calibracion", Target::Calibration(0), 90),
    t("tabla_calibracion", Target::Calibration(0), 90),
];

const PURCHASES: &[Alias] = &[
    t("liters", Target::Litres, 95),
    t("litres", Target::Litres, 95),
    t("litros", Target::Litres, 95),
    t("volume", Target::Litres, 85),
    t("volumen", Target::Litres, 85),
    t("quantity", Target::Litres, 80),
    t("qty", Target::Litres, 75),
    t("cantidad", Target::Litres, 80),
    t("fuel_l", Target::Litres, 85),
    ("gallons", Target::Litres, 90, Some(Unit::UsGal)),
    ("galones", Target::Litres, 90, Some(Unit::UsGal)),
    t("price_per_liter", Target::PricePerL, 95),
    t("price_per_litre", Target::PricePerL, 95),
    t("unit_price", Target::PricePerL, 90),
    t("price", Target::PricePerL, 80),
    t("ppu", Target::PricePerL, 80),
    t("precio", Target::PricePerL, 80),
    t("precio_unitario", Target::PricePerL, 90),
    t("precio_litro", Target::PricePerL, 95),
    t("precio_por_litro", Target::PricePerL, 95),
    ("price_per_gal", Target::PricePerL, 90, Some(Unit::UsGal)),
    ("price_per_gallon", Target::PricePerL, 90, Some(Unit::UsGal)),
    ("ppg", Target::PricePerL, 85, Some(Unit::UsGal)),
    t("amount", Target::Amount, 90),
    t("total", Target::Amount, 85),
    t("total_amount", Target::Amount, 90),
    t("total_cost", Target::Amount, 85),
    t("cost", Target::Amount, 80),
    t("importe", Target::Amount, 90),
    t("monto", Target::Amount, 90),
    t("card", Target::CardId, 90),
    t("card_number", Target::CardId, 90),
    t("card_no", Target::CardId, 90),
    t("fuel_card", Target::CardId, 90),
    t("tarjeta", Target::CardId, 90),
    t("station_name", Target::Station, 90),
    t("site", Target::Station, 80),
    t("site_name", Target::Station, 85),
    t("merchant", Target::Station, 80),
    t("merchant_name", Target::Station, 80),
    t("location", Target::Station, 60),
    t("estacion", Target::Station, 90),
    t("gasolinera", Target::Station, 90),
];

fn lookup_in(table: &[Alias], kind: FileKind, norm: &str) -> Option<(Target, u8, Option<Unit>)> {
    table
        .iter()
        .find(|a| a.0 == norm && a.1.belongs_to(kind))
        .map(|a| (a.1, a.2, a.3))
}

/// Header-name recognition for one kind: canonical, kind-specific, common aliases, date/time halves.
fn lookup(kind: FileKind, norm: &str) -> Option<(Target, u8, Option<Unit>, bool)> {
    if let Some(t) = Target::from_name(norm).filter(|t| *t != Target::Ignore && t.belongs_to(kind))
    {
        // `date` / `time` alone are aliases of ts (they may hold full timestamps).
        if !matches!(t, Target::Date | Target::TimeOfDay | Target::LatLon) {
            return Some((t, 200, None, true));
        }
    }
    if kind == FileKind::Trucks
        && let Some(r) = lookup_in(TRUCKS, kind, norm)
    {
        return Some((r.0, r.1, r.2, false));
    }
    if kind == FileKind::Purchases
        && let Some(r) = lookup_in(PURCHASES, kind, norm)
    {
        return Some((r.0, r.1, r.2, false));
    }
    if let Some(r) = lookup_in(COMMON, kind, norm) {
        return Some((r.0, r.1, r.2, false));
    }
    if kind != FileKind::Trucks && (DATE_NAMES.contains(&norm) || TIME_NAMES.contains(&norm)) {
        let prio = if norm.contains("gps") || norm.contains("fix") {
            60
        } else {
            50
        };
        return Some((Target::Field(F::Ts), prio, None, false));
    }
    None
}

/// Units spelled as the last token(s) of a header (`temp_f`, `odometer_mi`, `speed_km_h`).
fn suffix_unit(tok: &str) -> Option<Unit> {
    Some(match tok {
        "kmh" | "kph" | "km_h" | "kmph" => Unit::Kmh,
        "mph" | "mi_h" => Unit::Mph,
        "kn" | "kt" | "kts" | "knots" => Unit::Knots,
        "mps" | "m_s" => Unit::Ms,
        "l" | "lt" | "ltr" | "lts" | "litres" | "liters" | "litros" => Unit::L,
        "gal" | "gals" | "gallons" | "usgal" | "us_gal" | "gal_us" => Unit::UsGal,
        "impgal" | "imp_gal" | "uk_gal" | "gal_uk" | "gal_imp" => Unit::ImpGal,
        "lph" | "l_h" | "lt_h" => Unit::Lph,
        "gph" | "gal_h" => Unit::UsGalPerH,
        "g_s" | "gs" | "g_sec" => Unit::GramsPerS,
        "km" | "kms" => Unit::Km,
        "mi" | "miles" => Unit::Mi,
        "m" | "mts" | "meters" | "metres" | "metros" => Unit::M,
        "ft" | "feet" => Unit::Ft,
        "c" | "degc" | "celsius" => Unit::C,
        "f" | "degf" | "fahrenheit" => Unit::F,
        "k" | "kelvin" => Unit::K,
        "pct" | "percent" | "perc" | "porcentaje" | "porc" => Unit::Pct,
        "h" | "hr" | "hrs" => Unit::H,
        "min" | "mins" => Unit::Min,
        "s" | "sec" | "secs" => Unit::S,
        "rpm" => Unit::Rpm,
        "deg" => Unit::Deg,
        _ => return None,
    })
}

/// A time zone written in a header: `Time (America/Los_Angeles)`, `Fecha [UTC]`,
/// `Time (UTC+2)` (whole hours).
pub(crate) fn header_zone(raw: &str) -> Option<chrono_tz::Tz> {
    let h = raw.trim().trim_matches('"').trim();
    let (open, close) = match h.chars().last()? {
        ')' => ('(', ')'),
        ']' => ('[', ']'),
        _ => return None,
    };
    let inner = h[h.rfind(open)? + 1..h.len() - close.len_utf8()].trim();
    zone_name(inner)
}

fn zone_name(s: &str) -> Option<chrono_tz::Tz> {
    let u = s.to_ascii_uppercase();
    if matches!(u.as_str(), "UTC" | "GMT" | "Z" | "ZULU") {
        return Some(chrono_tz::Tz::UTC);
    }
    if let Some(rest) = u.strip_prefix("UTC").or_else(|| u.strip_prefix("GMT")) {
        // Etc/GMT names have the sign reversed (POSIX).
        let (sign, hours) = rest.split_at_checked(1)?;
        let hours: u8 = hours.trim_end_matches(":00").parse().ok()?;
        let name = match sign {
            "+" => format!("Etc/GMT-{hours}"),
            "-" => format!("Etc/GMT+{hours}"),
            _ => return None,
        };
        return name.parse().ok();
    }
    if s.contains('/') {
        return s.parse().ok();
    }
    None
}

/// `Fuel Level (%)` -> (`fuel_level`, `%`), `vehicleId` -> `vehicle_id`, `Velocidad [km/h]`.
pub(crate) fn normalize(raw: &str) -> (String, Option<Unit>) {
    let mut h = raw.trim().trim_matches('\u{feff}').trim_matches('"').trim();
    if header_zone(h).is_some()
        && let Some(start) = h.rfind(['(', '['])
    {
        h = h[..start].trim();
    }
    let mut unit = None;
    for (open, close) in [('(', ')'), ('[', ']'), ('{', '}')] {
        if h.ends_with(close)
            && let Some(start) = h.rfind(open)
        {
            let inner = h[start + 1..h.len() - 1].trim();
            if let Some(u) = unit_name(inner) {
                unit = Some(u);
                h = h[..start].trim();
                break;
            }
        }
    }
    if unit.is_none() {
        for (suffix, u) in [
            ("%", Unit::Pct),
            ("°F", Unit::F),
            ("°C", Unit::C),
            ("ºC", Unit::C),
        ] {
            if let Some(rest) = h.strip_suffix(suffix) {
                unit = Some(u);
                h = rest.trim();
                break;
            }
        }
    }
    let mut norm = String::with_capacity(h.len() + 4);
    let mut prev: Option<char> = None;
    for c in h.chars() {
        if c.is_uppercase() && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit()) {
            norm.push('_');
        }
        let l = crate::ts::fold(c);
        if l.is_ascii_alphanumeric() {
            norm.push(l);
        } else if !norm.ends_with('_') && !norm.is_empty() {
            norm.push('_');
        }
        prev = Some(c);
    }
    while norm.ends_with('_') {
        norm.pop();
    }
    (norm, unit)
}

/// Prefixes that do not change what a column means (`gps_`, `can_`, `obd_`, `io_`).
const NOISE_PREFIXES: &[&str] = &["gps_", "can_", "obd_", "io_", "vehicle_", "veh_", "avg_"];

/// Recognises one header for a file kind: target, priority, unit, canonical?
pub(crate) fn recognise(kind: FileKind, raw: &str) -> Option<(Target, u8, Option<Unit>, bool)> {
    let (norm, header_unit) = normalize(raw);
    let with_unit = |r: (Target, u8, Option<Unit>, bool), extra: Option<Unit>| {
        let unit = header_unit.or(extra).or(r.2);
        Some((r.0, r.1, unit, r.3 && unit.is_none()))
    };
    if let Some(r) = lookup(kind, &norm) {
        return with_unit(r, None);
    }
    let toks: Vec<&str> = norm.split('_').collect();
    for k in [2usize, 1] {
        if toks.len() > k
            && let Some(u) = suffix_unit(&toks[toks.len() - k..].join("_"))
        {
            let base = toks[..toks.len() - k].join("_");
            if let Some(r) = lookup(kind, &base).filter(|r| retarget(r.0, u).accepts(u)) {
                return with_unit(r, Some(u));
            }
        }
    }
    for p in NOISE_PREFIXES {
        if let Some(base) = norm.strip_prefix(p)
            && let Some(r) = lookup(kind, base)
        {
            return with_unit((r.0, r.1.saturating_sub(5), r.2, false), None);
        }
    }
    // Nested JSON keys (`position.latitude`): the last segment names the value.
    if let Some((_, last)) = raw.rsplit_once('.')
        && !last.is_empty()
    {
        return recognise(kind, last).map(|r| (r.0, r.1.saturating_sub(5), r.2, false));
    }
    None
}

/// A gauge column given in volume units is a litres column, and the other way round.
pub(crate) fn retarget(target: Target, unit: Unit) -> Target {
    match (target, unit.canonical()) {
        (Target::Field(F::FuelLevelPct), Unit::L) => Target::Field(F::FuelL),
        (Target::Field(F::FuelLevelPct2), Unit::L) => Target::Field(F::FuelL2),
        (Target::Field(F::FuelL), Unit::Pct) => Target::Field(F::FuelLevelPct),
        (Target::Field(F::FuelL2), Unit::Pct) => Target::Field(F::FuelLevelPct2),
        _ => target,
    }
}

/// Guesses the file kind from its header names: tank columns make a trucks file, a price
/// or amount column a purchases file, anything else is telemetry.
pub(crate) fn detect_kind(headers: &[String]) -> FileKind {
    let has = |kind: FileKind, want: &dyn Fn(Target) -> bool| {
        headers.iter().any(|h| {
            let (norm, unit) = normalize(h);
            lookup(kind, &norm).is_some_and(|r| want(r.0))
                || (unit.is_some() && recognise(kind, h).is_some_and(|r| want(r.0)))
        })
    };
    if has(FileKind::Trucks, &|t| {
        matches!(t, Target::TankL(_) | Target::Calibration(_))
    }) {
        FileKind::Trucks
    } else if has(FileKind::Purchases, &|t| {
        matches!(t, Target::PricePerL | Target::Amount)
    }) {
        FileKind::Purchases
    } else {
        FileKind::Telemetry
    }
}

/// Counts the cells of a row that look like header names of any kind.
pub(crate) fn header_score(cells: &[String]) -> usize {
    cells
        .iter()
        .filter(|c| {
            [FileKind::Telemetry, FileKind::Trucks, FileKind::Purchases]
                .iter()
                .any(|k| recognise(*k, c).is_some())
        })
        .count()
}

/// Columns planned from a header.
pub(crate) struct Resolved {
    pub columns: Vec<ColumnPlan>,
    pub notes: Vec<Note>,
    pub unknown: Vec<String>,
    pub canonical: bool,
}

pub(crate) fn new_plan(index: usize, header: &str) -> ColumnPlan {
    ColumnPlan {
        index,
        header: header.to_string(),
        target: Target::Ignore,
        unit: None,
        origin: Origin::Unknown,
        decimal: DecimalSep::Dot,
        date_order: None,
        format: None,
        density_kg_per_l: fc_model::units::DIESEL_DENSITY_KG_PER_L,
        scale: 1.0,
        offset: 0.0,
        fallback: false,
        zone: None,
    }
}

/// Plans every column of a header: mapping first, then names; one column per target.
/// `keep_fallbacks`: JSON Lines keys that lose to a better-named key stay as fallbacks
/// (lines differ in their keys); CSV columns that lose are ignored.
pub(crate) fn resolve(
    headers: &[String],
    kind: FileKind,
    mapping: Option<&Mapping>,
    keep_fallbacks: bool,
) -> Resolved {
    let mut columns = Vec::with_capacity(headers.len());
    let mut prio = Vec::with_capacity(headers.len());
    let mut notes = Vec::new();
    let mut unknown = Vec::new();
    let auto = mapping.is_none_or(|m| m.auto);
    let mut canonical = true;
    for (i, h) in headers.iter().enumerate() {
        let mut plan = new_plan(i, h);
        let mut p = 0u8;
        if let Some(m) = mapping.and_then(|m| m.column(h)) {
            plan.target = m.target;
            plan.unit = m.unit;
            plan.origin = Origin::Mapping;
            plan.format.clone_from(&m.format);
            if let Some(d) = m
                .density_kg_per_l
                .or(mapping.and_then(|m| m.density_kg_per_l))
            {
                plan.density_kg_per_l = d;
            }
            plan.scale = m.scale;
            plan.offset = m.offset;
            p = 255;
            canonical = false;
        } else if h.trim().is_empty() {
            // A trailing separator on the header line: nothing to read.
        } else if let Some((target, pr, unit, canon)) = auto.then(|| recognise(kind, h)).flatten() {
            let target = unit.map_or(target, |u| retarget(target, u));
            plan.target = target;
            plan.unit = unit.filter(|u| target.accepts(*u) && u.canonical() != *u);
            if matches!(
                target,
                Target::Field(F::Ts) | Target::Date | Target::TimeOfDay
            ) {
                plan.zone = header_zone(h);
            }
            plan.origin = if canon {
                Origin::Canonical
            } else {
                Origin::Alias
            };
            if let Some(d) = mapping.and_then(|m| m.density_kg_per_l) {
                plan.density_kg_per_l = d;
            }
            canonical &= canon;
            p = pr;
        } else {
            canonical = false;
            unknown.push(h.clone());
        }
        columns.push(plan);
        prio.push(p);
    }
    pair_date_time(&mut columns, &mut prio, &mut notes);
    // One column per target: the best-named wins, the others are noted and ignored.
    for i in 0..columns.len() {
        let t = columns[i].target;
        if matches!(t, Target::Ignore) {
            continue;
        }
        let best = (0..columns.len())
            .filter(|&j| columns[j].target == t && !columns[j].fallback)
            .max_by_key(|&j| (prio[j], std::cmp::Reverse(j)))
            .unwrap_or(i);
        if best != i && keep_fallbacks {
            columns[i].fallback = true;
            canonical = false;
        } else if best != i {
            notes.push(Note::Shadowed {
                column: columns[i].header.clone(),
                field: t.name().to_string(),
                used: columns[best].header.clone(),
            });
            columns[i].target = Target::Ignore;
            canonical = false;
        }
    }
    for c in &columns {
        match c.origin {
            Origin::Alias if c.target != Target::Ignore => {
                notes.push(Note::HeaderAlias {
                    column: c.header.clone(),
                    field: c.target.name().to_string(),
                });
                if let Some(u) = c.unit {
                    notes.push(Note::UnitFromHeader {
                        column: c.header.clone(),
                        unit: u,
                    });
                }
            }
            Origin::Mapping => notes.push(Note::Mapped {
                column: c.header.clone(),
                field: c.target.name().to_string(),
            }),
            _ => {}
        }
    }
    Resolved {
        columns,
        notes,
        unknown,
        canonical,
    }
}

/// `date` + `time` columns become the two halves of `ts` unless a full timestamp column exists.
fn pair_date_time(columns: &mut [ColumnPlan], prio: &mut [u8], notes: &mut Vec<Note>) {
    let by_names = |names: &[&str], want: Target, columns: &[ColumnPlan]| {
        columns.iter().position(|c| {
            c.target == want
                || (c.origin == Origin::Alias
                    && c.target == Target::Field(F::Ts)
                    && names.contains(&normalize(&c.header).0.as_str()))
        })
    };
    let (Some(d), Some(t)) = (
        by_names(DATE_NAMES, Target::Date, columns),
        by_names(TIME_NAMES, Target::TimeOfDay, columns),
    ) else {
        return;
    };
    if d == t {
        return;
    }
    let full = columns.iter().enumerate().any(|(i, c)| {
        i != d && i != t && c.target == Target::Field(F::Ts) && prio[i] > prio[d].max(prio[t])
    });
    if full {
        return;
    }
    columns[d].target = Target::Date;
    columns[t].target = Target::TimeOfDay;
    prio[d] = prio[d].max(1);
    prio[t] = prio[t].max(1);
    notes.push(Note::SplitTimestamp {
        date: columns[d].header.clone(),
        time: columns[t].header.clone(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_headers() {
        let cases = [
            ("Speed (mph)", "speed", Some(Unit::Mph)),
            ("Fuel [gal]", "fuel", Some(Unit::UsGal)),
            ("Fuel Level %", "fuel_level", Some(Unit::Pct)),
            ("vehicleId", "vehicle_id", None),
            ("GPS Time", "gps_time", None),
            ("Nivel Combustible", "nivel_combustible", None),
            ("\u{feff}\"Fecha/Hora\"", "fecha_hora", None),
            ("Speed (GPS)", "speed_gps", None),
            ("Time (America/Los_Angeles)", "time", None),
            ("Fecha [UTC]", "fecha", None),
        ];
        for (raw, norm, unit) in cases {
            assert_eq!(normalize(raw), (norm.to_string(), unit), "{raw}");
        }
    }

    #[test]
    fn recognises_foreign_names_and_units() {
        use FileKind::Telemetry as Tel;
        let cases: &[(&str, Target, Option<Unit>)] = &[
            ("ts", Target::Field(F::Ts), None),
            ("Timestamp", Target::Field(F::Ts), None),
            ("gps_time", Target::Field(F::Ts), None),
            ("Vehicle", Target::Field(F::TruckId), None),
            ("Device ID", Target::Field(F::TruckId), None),
            ("camión", Target::Field(F::TruckId), None),
            ("Lng", Target::Field(F::Lon), None),
            ("Speed (mph)", Target::Field(F::SpeedKmh), Some(Unit::Mph)),
            ("speed_kmh", Target::Field(F::SpeedKmh), None),
            ("Fuel [gal]", Target::Field(F::FuelL), Some(Unit::UsGal)),
            ("temp_f", Target::Field(F::AmbientTempC), Some(Unit::F)),
            ("odometer_mi", Target::Field(F::OdometerKm), Some(Unit::Mi)),
            ("Engine RPM", Target::Field(F::Rpm), None),
            ("Contacto", Target::Field(F::Ignition), None),
            ("Conductor", Target::Field(F::DriverId), None),
            (
                "Velocidad (km/h)",
                Target::Field(F::SpeedKmh),
                Some(Unit::Kmh),
            ),
            ("position.latitude", Target::Field(F::Lat), None),
            ("gps_speed_mph", Target::Field(F::SpeedKmh), Some(Unit::Mph)),
            (
                "Fuel Rate (g/s)",
                Target::Field(F::FuelRateLph),
                Some(Unit::GramsPerS),
            ),
            ("fuel_level_pct_2", Target::Field(F::FuelLevelPct2), None),
        ];
        for (raw, target, unit) in cases {
            let r = recognise(Tel, raw).unwrap_or_else(|| panic!("{raw}"));
            assert_eq!(
                (retarget(r.0, r.2.unwrap_or(Unit::Deg)), r.2),
                (*target, *unit),
                "{raw}"
            );
        }
        for raw in [
            "coolant_temp_x",
            "Coolant Temperature (°C)",
            "satellites",
            "id",
            "comment",
        ] {
            assert!(recognise(Tel, raw).is_none(), "{raw}");
        }
    }

    #[test]
    fn zones_in_headers() {
        assert_eq!(
            header_zone("Time (America/Los_Angeles)"),
            Some(chrono_tz::America::Los_Angeles)
        );
        assert_eq!(header_zone("Fecha [UTC]"), Some(chrono_tz::Tz::UTC));
        assert_eq!(header_zone("Time (UTC+2)"), Some(chrono_tz::Etc::GMTMinus2));
        assert_eq!(
            header_zone("Time (GMT-05:00)"),
            Some(chrono_tz::Etc::GMTPlus5)
        );
        assert_eq!(header_zone("Speed (mph)"), None);
        assert_eq!(header_zone("Time"), None);
    }

    #[test]
    fn kinds_from_headers() {
        let h = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            detect_kind(&h("truck_id,name,tank_l,calibration")),
            FileKind::Trucks
        );
        assert_eq!(
            detect_kind(&h("truck_id,ts,litres,price_per_l,station")),
            FileKind::Purchases
        );
        assert_eq!(
            detect_kind(&h("truck_id,ts,lat,lon,speed_kmh")),
            FileKind::Telemetry
        );
    }

    #[test]
    fn date_and_time_pair_into_ts_and_duplicates_are_shadowed() {
        let h = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
        let r = resolve(
            &h("Vehicle,Date,Time,Speed"),
            FileKind::Telemetry,
            None,
            false,
        );
        let targets: Vec<_> = r.columns.iter().map(|c| c.target).collect();
        assert_eq!(
            targets,
            [
                Target::Field(F::TruckId),
                Target::Date,
                Target::TimeOfDay,
                Target::Field(F::SpeedKmh)
            ]
        );
        let r = resolve(
            &h("server_time,device_time,unit,x1"),
            FileKind::Telemetry,
            None,
            false,
        );
        assert_eq!(r.columns[0].target, Target::Ignore);
        assert_eq!(r.columns[1].target, Target::Field(F::Ts));
        assert_eq!(r.unknown, ["x1"]);
        assert!(!r.canonical);
        let r = resolve(
            &h(fc_model::CANONICAL_HEADER),
            FileKind::Telemetry,
            None,
            false,
        );
        assert!(r.canonical);
        assert!(r.notes.is_empty());
    }
}
