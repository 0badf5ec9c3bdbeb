//! English and Spanish for every user-facing string outside the web UI (the
//! CLI's reports, the HTML report), and number and unit formatting that follow
//! the user's settings.
//!
//! Messages live in Fluent files under `locales/<lang>/` at the repository
//! root; the web UI reads the same folder, so one catalogue serves every face.

#![deny(missing_docs)]

mod format;

use std::fmt;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

pub use format::{DistanceUnit, NumberFormat, Units, VolumeUnit};

/// A language the product speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every supported language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// Parses a BCP 47 tag or a POSIX locale (`es`, `es-MX`, `es_ES.UTF-8`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag
            .trim()
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The language from `FUELCOPILOT_LANG`, then the POSIX locale variables; English otherwise.
    pub fn from_env() -> Lang {
        ["FUELCOPILOT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .filter(|v| !v.is_empty() && v != "C" && v != "POSIX")
            .find_map(|v| Lang::from_tag(&v))
            .unwrap_or_default()
    }

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    fn sources(self) -> &'static [&'static str] {
        match self {
            Lang::En => &[
                include_str!("../../../locales/en/cli.ftl"),
                include_str!("../../../locales/en/report.ftl"),
                include_str!("../../../locales/en/live.ftl"),
                include_str!("../../../locales/en/events.ftl"),
                include_str!("../../../locales/en/coach.ftl"),
                include_str!("../../../locales/en/ml.ftl"),
                include_str!("../../../locales/en/desktop.ftl"),
            ],
            Lang::Es => &[
                include_str!("../../../locales/es/cli.ftl"),
                include_str!("../../../locales/es/report.ftl"),
                include_str!("../../../locales/es/live.ftl"),
                include_str!("../../../locales/es/events.ftl"),
                include_str!("../../../locales/es/coach.ftl"),
                include_str!("../../../locales/es/ml.ftl"),
                include_str!("../../../locales/es/desktop.ftl"),
            ],
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// An argument of a message: text or a number already formatted by the caller.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text inserted as is (also pre-formatted numbers).
    Text(String),
    /// An integer; Fluent uses it for plural selection.
    Int(i64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}
impl From<u64> for Arg {
    fn from(n: u64) -> Self {
        Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Looks messages up in one language.
pub struct Translator {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    numbers: NumberFormat,
}

impl fmt::Debug for Translator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Translator")
            .field("lang", &self.lang)
            .finish()
    }
}

impl Translator {
    /// A translator for `lang`. The catalogues are compiled in and checked by tests,
    /// so building one cannot fail at run time.
    pub fn new(lang: Lang) -> Translator {
        let langid: LanguageIdentifier = lang.tag().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // Terminal output and HTML do not want bidi isolation marks around arguments.
        bundle.set_use_isolating(false);
        for src in lang.sources() {
            let res = match FluentResource::try_new((*src).to_string()) {
                Ok(r) => r,
                // A syntax error is caught by the catalogue tests; keep what parsed.
                Err((r, _)) => r,
            };
            let _ = bundle.add_resource(res);
        }
        Translator {
            lang,
            bundle,
            numbers: NumberFormat::for_lang(lang),
        }
    }

    /// The translator's language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The number format of the language.
    pub fn numbers(&self) -> NumberFormat {
        self.numbers
    }

    /// Whether a message id exists.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// A message without arguments.
    pub fn t(&self, id: &str) -> String {
        self.t_args(id, &[])
    }

    /// A message with named arguments. A missing id yields the id itself, so a
    /// gap shows up in the output instead of crashing a report.
    pub fn t_args(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            match v {
                Arg::Text(s) => fargs.set(*k, FluentValue::from(s.as_str())),
                Arg::Int(n) => fargs.set(*k, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fargs), &mut errors)
            .into_owned()
    }

    /// Formats a number with `decimals` fraction digits in the language's style.
    pub fn num(&self, value: f64, decimals: usize) -> String {
        self.numbers.format(value, decimals)
    }

    /// Formats an integer count with grouping.
    pub fn int(&self, value: i64) -> String {
        self.numbers.format(value as f64, 0)
    }
}

/// Message ids defined in a Fluent source (top-level messages, not terms).
pub fn message_ids(source: &str) -> Vec<String> {
    let res = match FluentResource::try_new(source.to_string()) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    res.entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_env_style_locales() {
        assert_eq!(Lang::from_tag("es_ES.UTF-8"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("ES"), Some(Lang::Es));
        assert_eq!(Lang::from_tag("fr_FR"), None);
    }

    #[test]
    fn catalogues_parse_and_have_the_same_ids() {
        let mut ids: Vec<Vec<String>> = Vec::new();
        for lang in Lang::ALL {
            for src in lang.sources() {
                if let Err((_, errs)) = FluentResource::try_new((*src).to_string()) {
                    panic!("{lang}: Fluent syntax errors: {errs:?}");
                }
            }
            let mut all: Vec<String> = lang.sources().iter().flat_map(|s| message_ids(s)).collect();
            all.sort();
            let before = all.len();
            all.dedup();
            assert_eq!(before, all.len(), "{lang}: duplicated message ids");
            ids.push(all);
        }
        assert!(!ids[0].is_empty());
        let missing_es: Vec<_> = ids[0].iter().filter(|i| !ids[1].contains(i)).collect();
        let missing_en: Vec<_> = ids[1].iter().filter(|i| !ids[0].contains(i)).collect();
        assert!(missing_es.is_empty(), "missing in es: {missing_es:?}");
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
    }

    #[test]
    fn arguments_and_plurals() {
        let en = Translator::new(Lang::En);
        let es = Translator::new(Lang::Es);
        let args = [("count", Arg::Int(1))];
        assert_eq!(en.t_args("import-rows-read", &args), "1 row read");
        assert_eq!(es.t_args("import-rows-read", &args), "1 fila leída");
        let args = [("count", Arg::Int(3000)), ("n", Arg::Text(es.int(3000)))];
        assert_eq!(es.t_args("import-rows-read", &args), "3.000 filas leídas");
        assert_eq!(en.t("no-such-message"), "no-such-message");
    }
}
