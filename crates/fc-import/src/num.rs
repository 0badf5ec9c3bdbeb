//! Cell text: missing tokens, numbers (decimal styles, thousands groups, glued units), flags.

use fc_model::units::Unit;

use crate::options::DecimalSep;

/// Placeholders exports use for "no value": read as null without complaint.
pub(crate) fn is_missing(s: &str) -> bool {
    const TOKENS: &[&str] = &[
        "-", "--", "---", "na", "n/a", "n.a.", "#n/a", "null", "none", "nil", "?", "(null)",
        "undef", "—", "–",
    ];
    // Checked on every cell: no allocation, and numbers leave at the first byte.
    s.is_empty()
        || (s.len() <= 6
            && !s.as_bytes()[0].is_ascii_digit()
            && TOKENS.iter().any(|t| t.eq_ignore_ascii_case(s)))
}

/// Tokens a device sends for a broken reading: null plus a `not_finite` issue.
pub(crate) fn is_not_finite(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    t == "∞"
        || t.eq_ignore_ascii_case("nan")
        || t.eq_ignore_ascii_case("inf")
        || t.eq_ignore_ascii_case("infinity")
        || t.eq_ignore_ascii_case("#num!")
}

/// Powers of ten that are exact in f64.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `[-]digits[.digits]` with at most 15 significant digits: exact mantissa divided by an
/// exact power of ten, which IEEE rounds correctly (the same result as `str::parse`).
#[inline]
pub(crate) fn fast_decimal(b: &[u8]) -> Option<f64> {
    let (neg, b) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    let n = b.len();
    if n == 0 || n > 16 {
        return None;
    }
    let mut m: u64 = 0;
    let mut i = 0;
    while i < n && b[i].is_ascii_digit() {
        m = m * 10 + u64::from(b[i] - b'0');
        i += 1;
    }
    let v = if i == n {
        m as f64
    } else {
        if i == 0 || b[i] != b'.' || i + 1 == n {
            return None;
        }
        let frac_start = i + 1;
        i = frac_start;
        while i < n && b[i].is_ascii_digit() {
            m = m * 10 + u64::from(b[i] - b'0');
            i += 1;
        }
        if i != n {
            return None;
        }
        m as f64 / POW10[n - frac_start]
    };
    Some(if neg { -v } else { v })
}

/// A number read from text, with the unit written after it, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Num {
    pub value: f64,
    pub unit: Option<Glued>,
}

/// What followed the digits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Glued {
    Unit(Unit),
    /// `N`/`E` (positive) or `S`/`W` (negative) after a coordinate.
    Hemisphere(bool),
}

/// Why a cell is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumError {
    NotFinite,
    Unparseable,
}

fn is_group_sep(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’')
}

/// Splits `-1 234,5 km/h` into its number part and the rest.
fn split_number(s: &str) -> (&str, &str) {
    let mut i = 0;
    if s.starts_with(['-', '+']) {
        i = 1;
    }
    let mut end = i;
    let mut it = s[i..].char_indices().map(|(j, c)| (j + i, c)).peekable();
    let mut prev_digit = false;
    while let Some((pos, c)) = it.next() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            end = pos + c.len_utf8();
            prev_digit = c.is_ascii_digit();
            continue;
        }
        let rest = &s[pos + c.len_utf8()..];
        if is_group_sep(c) && prev_digit && group_follows(rest) {
            // `1 234` / `1'234`: a group of exactly three digits follows.
            prev_digit = false;
            continue;
        }
        let rb = rest.as_bytes();
        let exp = (c == 'e' || c == 'E')
            && end > i
            && match rb {
                [d, ..] if d.is_ascii_digit() => true,
                [b'-' | b'+', d, ..] => d.is_ascii_digit(),
                _ => false,
            };
        if exp {
            end = pos + 1;
            if matches!(rb.first(), Some(b'-' | b'+')) {
                end += 1;
                it.next();
            }
            prev_digit = false;
            continue;
        }
        break;
    }
    (&s[..end], &s[end..])
}

fn group_follows(rest: &str) -> bool {
    let b = rest.as_bytes();
    b.len() >= 3
        && b[..3].iter().all(u8::is_ascii_digit)
        && b.get(3).is_none_or(|d| !d.is_ascii_digit())
}

/// The unit written after a number, if any (for the layout report).
pub(crate) fn glued_unit(s: &str) -> Option<Glued> {
    let s = s.trim().trim_start_matches(['$', '€', '£']).trim_start();
    let (n, rest) = split_number(s);
    let rest = rest.trim();
    if n.is_empty() || rest.is_empty() {
        return None;
    }
    glued(rest)
}

/// Reads the number part with the column's decimal separator; groups must be of three digits.
fn parse_plain(num: &str, dec: DecimalSep) -> Option<f64> {
    let (dec_c, group_c) = match dec {
        DecimalSep::Dot => ('.', ','),
        DecimalSep::Comma => (',', '.'),
    };
    let mut buf = String::with_capacity(num.len());
    let mut digits_in_group = 0usize;
    let mut groups = 0usize;
    let mut seen_dec = false;
    let mut seen_exp = false;
    for c in num.chars() {
        if seen_exp {
            buf.push(c);
            continue;
        }
        if c.is_ascii_digit() {
            buf.push(c);
            digits_in_group += 1;
        } else if c == dec_c && !seen_dec {
            if groups > 0 && digits_in_group != 3 {
                return None;
            }
            seen_dec = true;
            buf.push('.');
            groups = 0;
            digits_in_group = 0;
        } else if (c == group_c || is_group_sep(c)) && !seen_dec {
            if digits_in_group == 0 || (groups == 0 && digits_in_group > 3) {
                return None;
            }
            if groups > 0 && digits_in_group != 3 {
                return None;
            }
            groups += 1;
            digits_in_group = 0;
        } else if c == '-' || c == '+' {
            if !buf.is_empty() {
                return None;
            }
            buf.push(c);
        } else if c == 'e' || c == 'E' {
            seen_exp = true;
            buf.push('e');
        } else {
            return None;
        }
    }
    if groups > 0 && !seen_dec && digits_in_group != 3 {
        return None;
    }
    buf.parse().ok()
}

/// Reads a numeric cell (already trimmed, not missing). `dec` is the column's separator.
pub(crate) fn parse_number(s: &str, dec: DecimalSep) -> Result<Num, NumError> {
    if dec == DecimalSep::Dot
        && let Some(v) = fast_decimal(s.as_bytes())
    {
        return Ok(Num {
            value: v,
            unit: None,
        });
    }
    if dec == DecimalSep::Dot
        && s.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
        && let Ok(v) = s.parse::<f64>()
    {
        // Long mantissas and exponents: the standard parser, still no allocation.
        if !v.is_finite() {
            return Err(NumError::NotFinite);
        }
        return Ok(Num {
            value: v,
            unit: None,
        });
    }
    if is_not_finite(s) {
        return Err(NumError::NotFinite);
    }
    let s = s.trim_start_matches(['$', '€', '£']).trim_start();
    let (n, rest) = split_number(s);
    if n.is_empty() || !n.bytes().any(|c| c.is_ascii_digit()) {
        return Err(NumError::Unparseable);
    }
    let value = parse_plain(n, dec).ok_or(NumError::Unparseable)?;
    if !value.is_finite() {
        return Err(NumError::NotFinite);
    }
    let rest = rest.trim().trim_end_matches(['$', '€', '£']).trim();
    let unit = if rest.is_empty() {
        None
    } else {
        Some(glued(rest).ok_or(NumError::Unparseable)?)
    };
    Ok(Num { value, unit })
}

fn glued(rest: &str) -> Option<Glued> {
    // Lower-case `s` stays seconds; the other letters are not unit names.
    match rest {
        "N" | "n" | "E" | "e" => return Some(Glued::Hemisphere(true)),
        "S" | "W" | "w" | "O" | "o" => return Some(Glued::Hemisphere(false)),
        _ => {}
    }
    unit_name(rest).map(Glued::Unit)
}

/// Unit names in values and headers: `fc_model` names plus a few spellings seen in exports.
pub(crate) fn unit_name(s: &str) -> Option<Unit> {
    // `(GPS)` in a header is a source, not grams per second.
    if s.trim().eq_ignore_ascii_case("gps") {
        return None;
    }
    if let Some(u) = Unit::parse(s) {
        return Some(u);
    }
    let n: String = s
        .trim()
        .chars()
        .map(crate::ts::fold)
        .filter(|c| !matches!(c, ' ' | '_' | '.'))
        .collect();
    Some(match n.as_str() {
        "km_h" | "kmh" | "kms/h" | "km/hr" => Unit::Kmh,
        "mi/hr" | "miph" => Unit::Mph,
        "lts" | "litros" | "litro" => Unit::L,
        "gals" | "galones" | "galon" | "usgals" => Unit::UsGal,
        "l/hr" | "lt/h" | "litros/h" => Unit::Lph,
        "gal/hr" => Unit::UsGalPerH,
        "kms" | "kilometers" | "kilometres" | "kilometros" => Unit::Km,
        "mts" | "metros" | "msnm" => Unit::M,
        "ºc" | "°c" | "degreesc" | "degc" => Unit::C,
        "ºf" | "degreesf" => Unit::F,
        "r/min" | "rev/min" | "revmin" => Unit::Rpm,
        "horas" => Unit::H,
        _ => return None,
    })
}

/// What a cell says about its column's decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalEvidence {
    None,
    Dot,
    Comma,
    /// One `,` or `.` followed by exactly three digits: decimal or thousands.
    Ambiguous,
}

pub(crate) fn decimal_evidence(s: &str) -> DecimalEvidence {
    let s = s.trim().trim_start_matches(['$', '€', '£']);
    let (n, _) = split_number(s);
    let n = n.trim_start_matches(['-', '+']);
    let dots = n.matches('.').count();
    let commas = n.matches(',').count();
    match (dots, commas) {
        (0, 0) => DecimalEvidence::None,
        (_, 0) if dots > 1 => DecimalEvidence::Comma,
        (0, _) if commas > 1 => DecimalEvidence::Dot,
        (0, 1) | (1, 0) => {
            let sep = if dots == 1 { '.' } else { ',' };
            let (int, frac) = n.split_once(sep).unwrap_or((n, ""));
            let int_digits = int.chars().filter(char::is_ascii_digit).count();
            let plain = if sep == '.' {
                DecimalEvidence::Dot
            } else {
                DecimalEvidence::Comma
            };
            if frac.len() == 3 && (1..=3).contains(&int_digits) && int != "0" {
                DecimalEvidence::Ambiguous
            } else {
                plain
            }
        }
        _ => {
            // Both present: the last one is the decimal separator.
            if n.rfind('.') > n.rfind(',') {
                DecimalEvidence::Dot
            } else {
                DecimalEvidence::Comma
            }
        }
    }
}

/// Reads a flag in the spellings exports use. `None` for anything else.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    const TRUE: &[&str] = &[
        "1",
        "true",
        "on",
        "yes",
        "y",
        "t",
        "si",
        "s",
        "1.0",
        "encendido",
        "activo",
        "active",
        "enabled",
        "high",
        "ja",
        "oui",
        "sim",
        "ligado",
        "ein",
    ];
    const FALSE: &[&str] = &[
        "0",
        "false",
        "off",
        "no",
        "n",
        "f",
        "0.0",
        "apagado",
        "inactivo",
        "inactive",
        "disabled",
        "low",
        "nein",
        "non",
        "nao",
        "desligado",
        "aus",
    ];
    if s.len() > 12 {
        return None;
    }
    let folded: String;
    let s = if s.is_ascii() {
        s
    } else {
        // `Sí`, `não`: fold accents (rare, so the allocation is fine here).
        folded = s.chars().map(crate::ts::fold).collect();
        &folded
    };
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalSep::{Comma, Dot};

    #[test]
    fn fast_path_matches_std() {
        for s in [
            "0",
            "12",
            "-3.25",
            "74.5",
            "123456789.125",
            "0.1",
            "40.416775",
            "-3.703790",
        ] {
            assert_eq!(
                fast_decimal(s.as_bytes()).map(f64::to_bits),
                s.parse::<f64>().ok().map(f64::to_bits),
                "{s}"
            );
        }
        for s in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "1,5",
            "12345678901234567",
            "1.2.3",
        ] {
            assert_eq!(fast_decimal(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn numbers_with_styles_groups_and_units() {
        let cases: &[(&str, DecimalSep, f64, Option<Glued>)] = &[
            ("74,50%", Comma, 74.5, Some(Glued::Unit(Unit::Pct))),
            ("48km/h", Dot, 48.0, Some(Glued::Unit(Unit::Kmh))),
            ("2124RPM", Dot, 2124.0, Some(Glued::Unit(Unit::Rpm))),
            ("30mph", Dot, 30.0, Some(Glued::Unit(Unit::Mph))),
            ("1.234,5", Comma, 1234.5, None),
            ("1,234.5", Dot, 1234.5, None),
            ("1 234,5 km", Comma, 1234.5, Some(Glued::Unit(Unit::Km))),
            ("1'234.5", Dot, 1234.5, None),
            ("-3,70", Comma, -3.7, None),
            ("98.6 °F", Dot, 98.6, Some(Glued::Unit(Unit::F))),
            ("1.5e3", Dot, 1500.0, None),
            ("40.4168N", Dot, 40.4168, Some(Glued::Hemisphere(true))),
            ("3.7038 W", Dot, 3.7038, Some(Glued::Hemisphere(false))),
            ("€1,459", Comma, 1.459, None),
            ("12 L", Dot, 12.0, Some(Glued::Unit(Unit::L))),
        ];
        for (s, dec, v, unit) in cases {
            let n = parse_number(s, *dec).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert!((n.value - v).abs() < 1e-9, "{s}: {}", n.value);
            assert_eq!(n.unit, *unit, "{s}");
        }
        for (s, err) in [
            ("NaN", NumError::NotFinite),
            ("-inf", NumError::NotFinite),
            ("∞", NumError::NotFinite),
            ("1e999", NumError::NotFinite),
            ("abc", NumError::Unparseable),
            ("12 furlongs", NumError::Unparseable),
            ("1,2,3", NumError::Unparseable),
            ("12,34", NumError::Unparseable),
        ] {
            assert_eq!(parse_number(s, Dot), Err(err), "{s}");
        }
    }

    #[test]
    fn decimal_evidence_per_value() {
        use DecimalEvidence as E;
        for (s, want) in [
            ("12", E::None),
            ("12.5", E::Dot),
            ("12,5", E::Comma),
            ("1.234,5", E::Comma),
            ("1,234.5", E::Dot),
            ("1,234,567", E::Dot),
            ("1.234.567", E::Comma),
            ("1,234", E::Ambiguous),
            ("1.234", E::Ambiguous),
            ("0,125", E::Comma),
            ("12,50 %", E::Comma),
        ] {
            assert_eq!(decimal_evidence(s), want, "{s}");
        }
    }

    #[test]
    fn flags_and_missing() {
        for t in ["1", "TRUE", "On", "yes", "Y", "t", "sí", "SI", "encendido"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["0", "False", "OFF", "no", "N", "f", "apagado"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
        for m in ["", "-", "--", "NA", "n/a", "N/A", "null", "None", "nil"] {
            assert!(is_missing(m), "{m}");
        }
        assert!(!is_missing("0"));
        for n in ["NaN", "nan", "∞", "-∞", "inf", "Infinity"] {
            assert!(is_not_finite(n), "{n}");
        }
    }
}
