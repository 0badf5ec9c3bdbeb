//! Where the desktop's live data comes from: the built-in demo fleet or a
//! WebSocket feed. The choice is a per-desktop preference ([`DataSourceDto`] in
//! `Preferences`); the feed's token is a secret (`crate::secrets`). This module
//! turns both into a [`LiveSource`].

use fc_sim::{Profile, SimConfig};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::live::LiveSource;

/// Environment: demo fleet size (default 50).
pub const DEMO_TRUCKS_ENV: &str = "FUELCOPILOT_DEMO_TRUCKS";
/// Environment: simulated seconds per second (default 30: the scripted theft then
/// alerts about a minute after launch; the detector needs ~35 simulated minutes).
pub const DEMO_SPEEDUP_ENV: &str = "FUELCOPILOT_DEMO_SPEEDUP";
/// Environment: the demo fleet's seed (default 7).
pub const DEMO_SEED_ENV: &str = "FUELCOPILOT_DEMO_SEED";
/// Environment: when the simulated day starts: `HH:MM` on the simulation's first day in
/// the demo fleet's zone (UTC+1), or an RFC 3339 instant; default local midnight.
pub const DEMO_START_ENV: &str = "FUELCOPILOT_DEMO_START";
/// Simulated days of the demo stream (at 30x, a day of wall time).
const DEMO_DAYS: u32 = 30;

/// The data source's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DataSourceKind {
    /// The built-in simulated fleet (its own demo database, decision 10).
    #[default]
    Demo,
    /// A feed gateway speaking protocol v1.
    Feed,
}

/// The live data source as Settings shows and saves it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DataSourceDto {
    /// `demo` or `feed`.
    pub kind: DataSourceKind,
    /// The feed's URL (`ws://host:port/feed/v1`); only for `feed`.
    pub url: Option<String>,
    /// Demo fleet size; absent: the launch environment's (default 50).
    pub trucks: Option<u32>,
}

/// The built-in demo fleet's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSettings {
    /// Trucks (1..=10000).
    pub trucks: usize,
    /// Simulated seconds per second.
    pub speedup: f64,
    /// Seed.
    pub seed: u64,
    /// Start of the simulation, UTC ms; `None`: the simulator's own (local midnight).
    pub start_ms: Option<i64>,
}

impl Default for DemoSettings {
    fn default() -> Self {
        DemoSettings {
            trucks: 50,
            speedup: 30.0,
            seed: 7,
            start_ms: None,
        }
    }
}

/// `HH:MM` (local time on the simulation's first day, in its zone) or an RFC 3339 instant.
fn parse_start(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    let (h, m) = text.split_once(':')?;
    let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
    // The simulator's default start is its first day's local midnight.
    ((0..24).contains(&h) && (0..60).contains(&m))
        .then(|| fc_sim::DEFAULT_START_MS + (h * 60 + m) * 60_000)
}

fn env_value<T: std::str::FromStr>(
    get: &dyn Fn(&str) -> Option<String>,
    name: &str,
    ok: impl Fn(&T) -> bool,
    expected: &str,
) -> Result<Option<T>> {
    let Some(text) = get(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    match text.parse::<T>() {
        Ok(v) if ok(&v) => Ok(Some(v)),
        _ => Err(CoreError::Invalid {
            what: name.to_string(),
            why: format!("`{text}` is not {expected}"),
        }),
    }
}

impl DemoSettings {
    /// From the launch environment (docs/IPC.md): `FUELCOPILOT_DEMO_TRUCKS`,
    /// `FUELCOPILOT_DEMO_SPEEDUP`, `FUELCOPILOT_DEMO_SEED`, `FUELCOPILOT_DEMO_START`;
    /// unset means the default.
    pub fn from_env() -> Result<DemoSettings> {
        DemoSettings::from_lookup(&|name| std::env::var(name).ok())
    }

    /// The same from any lookup (tests).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<DemoSettings> {
        let d = DemoSettings::default();
        Ok(DemoSettings {
            trucks: env_value(
                get,
                DEMO_TRUCKS_ENV,
                |n: &usize| (1..=10_000).contains(n),
                "a fleet size from 1 to 10000",
            )?
            .unwrap_or(d.trucks),
            speedup: env_value(
                get,
                DEMO_SPEEDUP_ENV,
                |s: &f64| s.is_finite() && *s > 0.0 && *s <= 100_000.0,
                "a positive speed-up (simulated seconds per second)",
            )?
            .unwrap_or(d.speedup),
            seed: env_value(get, DEMO_SEED_ENV, |_: &u64| true, "a whole number")?
                .unwrap_or(d.seed),
            start_ms: match get(DEMO_START_ENV).filter(|v| !v.trim().is_empty()) {
                None => d.start_ms,
                Some(text) => Some(parse_start(&text).ok_or_else(|| CoreError::Invalid {
                    what: DEMO_START_ENV.to_string(),
                    why: format!("`{}` is neither HH:MM nor an RFC 3339 time", text.trim()),
                })?),
            },
        })
    }

    /// The simulation: the default profile with the scripted theft (decision 23).
    pub fn sim_config(&self) -> SimConfig {
        let base = SimConfig::new(self.trucks, DEMO_DAYS, self.seed, Profile::Default);
        SimConfig {
            scripted_theft: true,
            start_ms: self.start_ms.unwrap_or(base.start_ms),
            ..base
        }
    }

    /// The live source of this demo.
    pub fn live_source(&self) -> LiveSource {
        LiveSource::Simulator {
            config: self.sim_config(),
            speedup: self.speedup,
        }
    }
}

impl DataSourceDto {
    /// Checks the choice: a feed needs a `ws://` or `wss://` URL, a demo a sane size.
    pub fn validate(&self) -> Result<()> {
        match self.kind {
            DataSourceKind::Feed => {
                let url = self.url.as_deref().map(str::trim).unwrap_or_default();
                if !(url.starts_with("ws://") || url.starts_with("wss://")) || url.len() < 8 {
                    return Err(CoreError::Invalid {
                        what: "url".into(),
                        why: "give the feed's WebSocket address, e.g. ws://host:9000/feed/v1"
                            .into(),
                    });
                }
            }
            DataSourceKind::Demo => {
                if self.trucks.is_some_and(|n| !(1..=10_000).contains(&n)) {
                    return Err(CoreError::Invalid {
                        what: "trucks".into(),
                        why: "the demo fleet has 1 to 10000 trucks".into(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The live source for this choice: the demo from `demo` (its size overridden by
    /// `trucks`), or the feed with its token (from the secret store).
    pub fn live_source(&self, token: Option<&str>, demo: &DemoSettings) -> Result<LiveSource> {
        self.validate()?;
        match self.kind {
            DataSourceKind::Demo => Ok(DemoSettings {
                trucks: self.trucks.map_or(demo.trucks, |n| n as usize),
                ..demo.clone()
            }
            .live_source()),
            DataSourceKind::Feed => {
                let token = token
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| CoreError::Invalid {
                        what: "token".into(),
                        why: "enter the feed's access token".into(),
                    })?;
                Ok(LiveSource::Feed {
                    url: self.url.as_deref().unwrap_or_default().trim().to_string(),
                    token: token.to_string(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_reads_its_environment() {
        let none = DemoSettings::from_lookup(&|_| None).unwrap();
        assert_eq!(none, DemoSettings::default());
        assert_eq!((none.trucks, none.speedup, none.seed), (50, 30.0, 7));
        let set = DemoSettings::from_lookup(&|n| {
            Some(
                match n {
                    DEMO_TRUCKS_ENV => "5",
                    DEMO_SPEEDUP_ENV => " 60 ",
                    DEMO_SEED_ENV => "42",
                    _ => return None,
                }
                .to_string(),
            )
        })
        .unwrap();
        assert_eq!((set.trucks, set.speedup, set.seed), (5, 60.0, 42));
        assert!(set.sim_config().scripted_theft);
        assert_eq!(
            set.start_ms, None,
            "a start that is not set stays the simulator's"
        );
        let bad = DemoSettings::from_lookup(&|n| (n == DEMO_SPEEDUP_ENV).then(|| "-1".into()));
        let e = bad.unwrap_err();
        assert!(e.to_string().contains(DEMO_SPEEDUP_ENV), "{e}");
    }

    #[test]
    fn the_demo_start_is_a_local_time_or_an_instant() {
        let start = |v: &str| {
            let v = v.to_string();
            DemoSettings::from_lookup(&move |n| (n == DEMO_START_ENV).then(|| v.clone()))
        };
        let default = DemoSettings::default().sim_config().start_ms;
        assert_eq!(default, fc_sim::DEFAULT_START_MS);
        // Hours of the first day in the fleet's zone.
        let morning = start(" 03:55 ").unwrap();
        assert_eq!(
            morning.sim_config().start_ms,
            default + (3 * 60 + 55) * 60_000
        );
        assert_eq!(start("00:00").unwrap().sim_config().start_ms, default);
        // An instant, any offset.
        let at = start("2024-03-05T09:30:00+01:00").unwrap();
        assert_eq!(at.start_ms, Some(default + 86_400_000 + 570 * 60_000));
        assert_eq!(at.sim_config().start_ms, at.start_ms.unwrap());
        for bad in ["24:00", "7", "07:60", "tomorrow", "2024-03-05 09:30"] {
            let e = start(bad).unwrap_err().to_string();
            assert!(e.contains(DEMO_START_ENV) && e.contains(bad), "{bad}: {e}");
        }
        // Empty is unset.
        assert_eq!(start("  ").unwrap().start_ms, None);
    }

    #[test]
    fn sources_become_live_sources() {
        let demo = DemoSettings::default();
        let d = DataSourceDto {
            trucks: Some(3),
            ..DataSourceDto::default()
        };
        match d.live_source(None, &demo).unwrap() {
            LiveSource::Simulator { config, speedup } => {
                assert_eq!((config.trucks, speedup), (3, 30.0));
                assert!(config.scripted_theft);
            }
            other => panic!("{other:?}"),
        }
        let mut feed = DataSourceDto {
            kind: DataSourceKind::Feed,
            url: Some(" ws://127.0.0.1:9000/feed/v1 ".into()),
            trucks: None,
        };
        assert_eq!(
            feed.live_source(None, &demo).unwrap_err().to_string(),
            "token: enter the feed's access token"
        );
        match feed.live_source(Some("t0k"), &demo).unwrap() {
            LiveSource::Feed { url, token } => {
                assert_eq!(
                    (url.as_str(), token.as_str()),
                    ("ws://127.0.0.1:9000/feed/v1", "t0k")
                );
            }
            other => panic!("{other:?}"),
        }
        feed.url = Some("http://x".into());
        assert_eq!(feed.validate().unwrap_err().code(), "invalid_input");
        let json: DataSourceDto =
            serde_json::from_str(r#"{"kind":"feed","url":"ws://h/f"}"#).unwrap();
        assert_eq!(json.kind, DataSourceKind::Feed);
    }
}
