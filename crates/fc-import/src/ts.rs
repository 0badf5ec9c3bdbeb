//! Timestamp reading: epoch numbers told apart by magnitude, RFC 3339 / ISO 8601 (fast path),
//! and the textual forms spreadsheets and trackers write (`01/03/2024 14:05`, `Mar 1, 2024 2:05 PM`,
//! `vie, 1 mar 2024 14:05:00 +0100`).

use chrono::{Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::options::DateOrder;
use crate::report::EpochUnit;

/// Earliest accepted instant (1990-01-01): anything before is an unset device clock.
pub(crate) const MIN_TS: i64 = 631_152_000_000;
/// Latest accepted instant (2100-01-01).
pub(crate) const MAX_TS: i64 = 4_102_444_800_000;

/// A successfully read timestamp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ParsedTs {
    /// UTC milliseconds.
    pub ms: i64,
    /// Read in the fleet's zone (no offset in the text).
    pub naive: bool,
    /// Set for all-digit values.
    pub epoch: Option<EpochUnit>,
    /// What a numeric `a/b/yyyy` date says about the column's order.
    pub evidence: Option<DateOrder>,
}

/// Why a timestamp could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TsError {
    Invalid,
    /// Day and month could be swapped and the order is not known.
    Ambiguous,
    OutOfRange,
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Calendar fields of a wall-clock time.
#[derive(Debug, Clone, Copy, Default)]
struct Civil {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
}

impl Civil {
    fn valid(&self) -> bool {
        (1..=12).contains(&self.mo)
            && self.d >= 1
            && self.d <= days_in_month(self.y, self.mo)
            && self.h < 24
            && self.mi < 60
            && self.s < 60
            && self.ms < 1000
    }

    /// Milliseconds as if the wall clock were UTC.
    fn wall_ms(&self) -> i64 {
        let days = days_from_civil(self.y, self.mo, self.d);
        days * 86_400_000
            + i64::from(self.h) * 3_600_000
            + i64::from(self.mi) * 60_000
            + i64::from(self.s) * 1000
            + i64::from(self.ms)
    }
}

/// Converts a wall-clock time in `tz` to UTC ms. In a DST fold the earlier instant is
/// taken; in a gap the clock is read with the offset in force just before it.
fn local_to_utc(wall_ms: i64, tz: Tz) -> Option<i64> {
    if tz == Tz::UTC {
        return Some(wall_ms);
    }
    let naive: NaiveDateTime = chrono::DateTime::from_timestamp_millis(wall_ms)?.naive_utc();
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => Some(dt.timestamp_millis()),
        LocalResult::Ambiguous(a, _) => Some(a.timestamp_millis()),
        LocalResult::None => {
            let before = naive - Duration::hours(3);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => {
                    dt.naive_local().and_utc().timestamp_millis() - dt.timestamp_millis()
                }
                LocalResult::None => return None,
            };
            Some(wall_ms - offset)
        }
    }
}

fn finish(
    c: Civil,
    offset_s: Option<i32>,
    tz: Tz,
    epoch: Option<EpochUnit>,
    evidence: Option<DateOrder>,
) -> Result<ParsedTs, TsError> {
    if !c.valid() {
        return Err(TsError::Invalid);
    }
    let wall = c.wall_ms();
    let ms = match offset_s {
        Some(off) => wall - i64::from(off) * 1000,
        None => local_to_utc(wall, tz).ok_or(TsError::Invalid)?,
    };
    in_range(ms)?;
    Ok(ParsedTs {
        ms,
        naive: offset_s.is_none(),
        epoch,
        evidence,
    })
}

fn in_range(ms: i64) -> Result<(), TsError> {
    if (MIN_TS..MAX_TS).contains(&ms) {
        Ok(())
    } else {
        Err(TsError::OutOfRange)
    }
}

/// Reads one timestamp. `order` resolves `a/b/yyyy` dates; without it such a date with
/// both parts <= 12 (and different) is [`TsError::Ambiguous`].
pub(crate) fn parse_ts(s: &str, order: Option<DateOrder>, tz: Tz) -> Result<ParsedTs, TsError> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(TsError::Invalid);
    }
    if let Some(r) = parse_iso(b) {
        let (c, off) = r;
        return finish(c, off, tz, None, None);
    }
    if b.iter()
        .all(|&c| c.is_ascii_digit() || c == b'.' || c == b'-' || c == b'+')
        && b.iter().any(u8::is_ascii_digit)
        && !b[1..].contains(&b'-')
        && !b[1..].contains(&b'+')
        && b.iter().filter(|&&c| c == b'.').count() <= 1
    {
        return parse_epoch(s, tz);
    }
    parse_textual(s, order, tz)
}

/// Reads an epoch number; the unit follows from its magnitude.
pub(crate) fn parse_epoch(s: &str, tz: Tz) -> Result<ParsedTs, TsError> {
    let digits = s.trim_start_matches(['-', '+']);
    let int_part = digits.split('.').next().unwrap_or("");
    let has_frac = digits.contains('.');
    // Compact calendar forms look like numbers but are not epochs.
    if !has_frac && (int_part.len() == 8 || int_part.len() == 14) && !s.starts_with('-') {
        let n = |a: usize, b: usize| int_part[a..b].parse::<u32>().unwrap_or(0);
        let y = i64::from(n(0, 4));
        if (1990..2100).contains(&y) {
            let mut c = Civil {
                y,
                mo: n(4, 6),
                d: n(6, 8),
                ..Civil::default()
            };
            if int_part.len() == 14 {
                c.h = n(8, 10);
                c.mi = n(10, 12);
                c.s = n(12, 14);
            }
            if c.valid() {
                return finish(c, None, tz, Some(EpochUnit::Compact), None);
            }
        }
    }
    let v: f64 = s.parse().map_err(|_| TsError::Invalid)?;
    if !v.is_finite() {
        return Err(TsError::Invalid);
    }
    let a = v.abs();
    let (ms, unit) = if (20_000.0..100_000.0).contains(&a) {
        // Spreadsheet serial days: 1954..2173. Local wall-clock time.
        let wall = ((v - 25_569.0) * 86_400_000.0).round() as i64;
        let ms = local_to_utc(wall, tz).ok_or(TsError::Invalid)?;
        in_range(ms)?;
        return Ok(ParsedTs {
            ms,
            naive: true,
            epoch: Some(EpochUnit::SpreadsheetDays),
            evidence: None,
        });
    } else if a < 1e11 {
        ((v * 1000.0).round() as i64, EpochUnit::Seconds)
    } else if a < 1e14 {
        (int_or_trunc(int_part, s, v, 1), EpochUnit::Millis)
    } else if a < 1e17 {
        (int_or_trunc(int_part, s, v, 1000), EpochUnit::Micros)
    } else {
        (int_or_trunc(int_part, s, v, 1_000_000), EpochUnit::Nanos)
    };
    in_range(ms)?;
    Ok(ParsedTs {
        ms,
        naive: false,
        epoch: Some(unit),
        evidence: None,
    })
}

/// Integer division in i64 when the text is an integer (exact for nanoseconds), else via f64.
fn int_or_trunc(int_part: &str, s: &str, v: f64, div: i64) -> i64 {
    match int_part.parse::<i64>() {
        Ok(i) => {
            let i = if s.starts_with('-') { -i } else { i };
            i.div_euclid(div)
        }
        Err(_) => (v / div as f64).floor() as i64,
    }
}

fn num(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][ ][Z|UTC|GMT|+HH[:MM]|-HHMM]`; also `/` or `.` in the date.
/// Returns `None` for anything else (the textual parser then tries).
fn parse_iso(b: &[u8]) -> Option<(Civil, Option<i32>)> {
    if b.len() < 10 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sep = b[4];
    if !(sep == b'-' || sep == b'/' || sep == b'.') || b[7] != sep {
        return None;
    }
    let mut c = Civil {
        y: i64::from(num(&b[0..4])?),
        mo: num(&b[5..7])?,
        d: num(&b[8..10])?,
        ..Civil::default()
    };
    let mut i = 10;
    if i == b.len() {
        return Some((c, None));
    }
    if !(b[i] == b'T' || b[i] == b't' || b[i] == b' ') {
        return None;
    }
    i += 1;
    if b.len() < i + 5 || b[i + 2] != b':' {
        return None;
    }
    c.h = num(&b[i..i + 2])?;
    c.mi = num(&b[i + 3..i + 5])?;
    i += 5;
    if i < b.len() && b[i] == b':' {
        if b.len() < i + 3 {
            return None;
        }
        c.s = num(&b[i + 1..i + 3])?;
        i += 3;
        if i < b.len() && (b[i] == b'.' || b[i] == b',') {
            i += 1;
            let start = i;
            let mut ms = 0u32;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 3 {
                    ms = ms * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            for _ in (i - start)..3 {
                ms *= 10;
            }
            c.ms = ms;
        }
    }
    if i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let rest = &b[i..];
    let off = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(0),
        _ if rest.eq_ignore_ascii_case(b"utc") || rest.eq_ignore_ascii_case(b"gmt") => Some(0),
        [sign @ (b'+' | b'-'), h1, h2] => Some(offset(*sign, num(&[*h1, *h2])?, 0)),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            Some(offset(*sign, num(&[*h1, *h2])?, num(&[*m1, *m2])?))
        }
        _ => return None,
    };
    Some((c, off))
}

fn offset(sign: u8, h: u32, m: u32) -> i32 {
    let s = (h * 3600 + m * 60) as i32;
    if sign == b'-' { -s } else { s }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(u64, usize),
    Word(String),
    Sep(char),
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut v = 0u64;
            let mut n = 0usize;
            while let Some(&d) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                if n >= 18 {
                    return None;
                }
                v = v * 10 + u64::from(d as u8 - b'0');
                n += 1;
                chars.next();
            }
            out.push(Tok::Num(v, n));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&d) = chars.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                w.push(fold(d));
                chars.next();
            }
            out.push(Tok::Word(w));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sep(c));
            }
            chars.next();
        }
    }
    Some(out)
}

/// Lower case without accents (`Sáb` -> `sab`, `MÄR` -> `mar`).
pub(crate) fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'Á' | 'À' | 'Â' | 'Ä' | 'Ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        'ç' | 'Ç' => 'c',
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

fn month_word(w: &str) -> Option<u32> {
    Some(match w {
        "jan" | "january" | "ene" | "enero" | "januar" | "janeiro" | "janv" | "janvier" => 1,
        "feb" | "february" | "febrero" | "februar" | "fev" | "fevereiro" | "fevr" | "fevrier" => 2,
        "mar" | "march" | "marzo" | "marz" | "maerz" | "marco" | "mars" => 3,
        "apr" | "april" | "abr" | "abril" | "avr" | "avril" => 4,
        "may" | "mayo" | "mai" | "maio" => 5,
        "jun" | "june" | "junio" | "juni" | "junho" | "juin" => 6,
        "jul" | "july" | "julio" | "juli" | "julho" | "juil" | "juillet" => 7,
        "aug" | "august" | "ago" | "agosto" | "aout" => 8,
        "sep" | "sept" | "september" | "septiembre" | "setiembre" | "set" | "setembro"
        | "septembre" => 9,
        "oct" | "october" | "octubre" | "okt" | "oktober" | "out" | "outubro" | "octobre" => 10,
        "nov" | "november" | "noviembre" | "novembro" | "novembre" => 11,
        "dec" | "december" | "dic" | "diciembre" | "dez" | "dezember" | "dezembro" | "decembre" => {
            12
        }
        _ => return None,
    })
}

fn filler_word(w: &str) -> bool {
    matches!(
        w,
        "mon"
            | "monday"
            | "tue"
            | "tues"
            | "tuesday"
            | "wed"
            | "wednesday"
            | "thu"
            | "thur"
            | "thurs"
            | "thursday"
            | "fri"
            | "friday"
            | "sat"
            | "saturday"
            | "sun"
            | "sunday"
            | "lun"
            | "lunes"
            | "martes"
            | "mie"
            | "miercoles"
            | "jue"
            | "jueves"
            | "vie"
            | "viernes"
            | "sab"
            | "sabado"
            | "dom"
            | "domingo"
            | "de"
            | "of"
            | "the"
            | "at"
            | "del"
            | "t"
            | "st"
            | "nd"
            | "rd"
            | "th"
            | "h"
            | "hrs"
    )
}

/// The general parser: tokens, then date numbers / month word, time, am/pm, zone.
fn parse_textual(s: &str, order: Option<DateOrder>, tz: Tz) -> Result<ParsedTs, TsError> {
    let toks = tokenize(s).ok_or(TsError::Invalid)?;
    let mut date: Vec<(u64, usize)> = Vec::with_capacity(3);
    let mut month: Option<u32> = None;
    let mut time: Option<(u32, u32, u32, u32)> = None;
    let mut pm: Option<bool> = None;
    let mut off: Option<i32> = None;
    let mut dotted = false;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Num(h, hl) if time.is_none() && matches!(toks.get(i + 1), Some(Tok::Sep(':'))) => {
                let (h, hl) = (*h, *hl);
                let Some(Tok::Num(mi, _)) = toks.get(i + 2) else {
                    return Err(TsError::Invalid);
                };
                if hl > 2 {
                    return Err(TsError::Invalid);
                }
                let mut t = (h as u32, *mi as u32, 0u32, 0u32);
                i += 3;
                if let (Some(Tok::Sep(':')), Some(Tok::Num(sec, _))) =
                    (toks.get(i), toks.get(i + 1))
                {
                    t.2 = *sec as u32;
                    i += 2;
                    if let (Some(Tok::Sep('.' | ',')), Some(Tok::Num(f, fl))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let (f, fl) = (*f, *fl);
                        t.3 = if fl >= 3 {
                            (f / 10u64.pow((fl - 3) as u32)) as u32
                        } else {
                            (f * 10u64.pow((3 - fl) as u32)) as u32
                        };
                        i += 2;
                    }
                }
                time = Some(t);
                continue;
            }
            Tok::Num(v, l) => {
                if date.len() >= 3 || (month.is_some() && date.len() >= 2) {
                    return Err(TsError::Invalid);
                }
                date.push((*v, *l));
            }
            Tok::Word(w) => {
                if let Some(m) = month_word(w).filter(|_| month.is_none() && time.is_none()) {
                    month = Some(m);
                } else if time.is_some() && matches!(w.as_str(), "am" | "a") {
                    pm = Some(false);
                } else if time.is_some() && matches!(w.as_str(), "pm" | "p") {
                    pm = Some(true);
                } else if time.is_some() && w == "m" && pm.is_some() {
                    // second half of `a.m.` / `p.m.`
                } else if matches!(w.as_str(), "z" | "utc" | "gmt") {
                    off = Some(0);
                } else if !filler_word(w) {
                    return Err(TsError::Invalid);
                }
            }
            Tok::Sep(c @ ('+' | '-'))
                if time.is_some() && (date.len() == 3 || (month.is_some() && date.len() == 2)) =>
            {
                let sign = if *c == '-' { b'-' } else { b'+' };
                let Some(Tok::Num(v, l)) = toks.get(i + 1) else {
                    return Err(TsError::Invalid);
                };
                let (h, m, used) = match (*l, toks.get(i + 2), toks.get(i + 3)) {
                    (4, _, _) => ((*v / 100) as u32, (*v % 100) as u32, 2),
                    (1 | 2, Some(Tok::Sep(':')), Some(Tok::Num(m, 2))) => (*v as u32, *m as u32, 4),
                    (1 | 2, _, _) => (*v as u32, 0, 2),
                    _ => return Err(TsError::Invalid),
                };
                if h > 14 || m > 59 {
                    return Err(TsError::Invalid);
                }
                off = Some(offset(sign, h, m));
                i += used;
                continue;
            }
            Tok::Sep('.') if time.is_none() && date.len() == 1 => dotted = true,
            Tok::Sep(_) => {}
        }
        i += 1;
    }
    let mut evidence = None;
    let (y, mo, d) = if let Some(m) = month {
        match date.as_slice() {
            [(a, al), (b, _)] if *al == 4 || *a > 31 => (*a as i64, m, *b as u32),
            [(a, _), (b, _)] => (year(*b, date[1].1)?, m, *a as u32),
            _ => return Err(TsError::Invalid),
        }
    } else {
        let [(a, al), (b, _), (c, cl)] = date.as_slice() else {
            return Err(TsError::Invalid);
        };
        let (a, b, c) = (*a, *b, *c);
        if *al == 4 || order == Some(DateOrder::Ymd) {
            (year(a, *al)?, b as u32, c as u32)
        } else {
            let y = year(c, *cl)?;
            let (a, b) = (a as u32, b as u32);
            match order {
                Some(DateOrder::Dmy) => (y, b, a),
                Some(DateOrder::Mdy) => (y, a, b),
                _ if a > 12 && b <= 12 => {
                    evidence = Some(DateOrder::Dmy);
                    (y, b, a)
                }
                _ if b > 12 && a <= 12 => {
                    evidence = Some(DateOrder::Mdy);
                    (y, a, b)
                }
                _ if a == b => (y, a, b),
                // `01.03.2024` is day-first wherever dots separate a numeric date.
                _ if dotted => {
                    evidence = Some(DateOrder::Dmy);
                    (y, b, a)
                }
                _ => return Err(TsError::Ambiguous),
            }
        }
    };
    let (mut h, mi, sec, ms) = time.unwrap_or((0, 0, 0, 0));
    match pm {
        Some(_) if h == 0 || h > 12 => return Err(TsError::Invalid),
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let c = Civil {
        y,
        mo,
        d,
        h,
        mi,
        s: sec,
        ms,
    };
    finish(c, off, tz, None, evidence)
}

fn year(v: u64, len: usize) -> Result<i64, TsError> {
    match len {
        4 => Ok(v as i64),
        // Two-digit years: 70..99 are 19xx, the rest 20xx.
        2 if v >= 70 => Ok(1900 + v as i64),
        2 => Ok(2000 + v as i64),
        _ => Err(TsError::Invalid),
    }
}

/// Reads a value with a chrono format from a mapping file (with or without offset).
pub(crate) fn parse_with_format(s: &str, fmt: &str, tz: Tz) -> Result<ParsedTs, TsError> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_str(s, fmt) {
        let ms = dt.timestamp_millis();
        in_range(ms)?;
        return Ok(ParsedTs {
            ms,
            naive: false,
            epoch: None,
            evidence: None,
        });
    }
    let naive = NaiveDateTime::parse_from_str(s, fmt)
        .or_else(|_| {
            NaiveDate::parse_from_str(s, fmt).map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .map_err(|_| TsError::Invalid)?;
    let ms = local_to_utc(naive.and_utc().timestamp_millis(), tz).ok_or(TsError::Invalid)?;
    in_range(ms)?;
    Ok(ParsedTs {
        ms,
        naive: true,
        epoch: None,
        evidence: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_model::parse_rfc3339_ms;

    const T0: i64 = 1_709_294_400_000; // 2024-03-01T12:00:00Z

    #[test]
    fn iso_and_rfc3339_forms() {
        let utc = Tz::UTC;
        let cases = [
            ("2024-03-01T12:00:00Z", T0, false),
            ("2024-03-01T12:00:00.000Z", T0, false),
            ("2024-03-01T13:00:00+01:00", T0, false),
            ("2024-03-01T07:00:00-0500", T0, false),
            ("2024-03-01 12:00:00", T0, true),
            ("2024-03-01 12:00:00 UTC", T0, false),
            ("2024/03/01 12:00", T0, true),
            ("2024-03-01T12:00:00.25Z", T0 + 250, false),
            ("2024-03-01T12:00:00,5Z", T0 + 500, false),
            ("2024-03-01T12:00:00.123456789Z", T0 + 123, false),
        ];
        for (s, want, naive) in cases {
            let p = parse_ts(s, None, utc).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!((p.ms, p.naive), (want, naive), "{s}");
        }
        assert_eq!(
            parse_ts("2024-03-01T12:00:00Z", None, utc).unwrap().ms,
            parse_rfc3339_ms("2024-03-01T12:00:00Z").unwrap()
        );
    }

    #[test]
    fn epochs_by_magnitude() {
        let utc = Tz::UTC;
        let cases = [
            ("1709294400", T0, EpochUnit::Seconds),
            ("1709294400.5", T0 + 500, EpochUnit::Seconds),
            ("1709294400000", T0, EpochUnit::Millis),
            ("1709294400000123", T0, EpochUnit::Micros),
            ("1709294400000123456", T0, EpochUnit::Nanos),
            ("20240301120000", T0, EpochUnit::Compact),
            ("45352.5", T0, EpochUnit::SpreadsheetDays),
        ];
        for (s, want, unit) in cases {
            let p = parse_ts(s, None, utc).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!((p.ms, p.epoch), (want, Some(unit)), "{s}");
        }
        assert_eq!(parse_ts("0", None, utc), Err(TsError::OutOfRange));
        assert_eq!(parse_ts("12", None, utc), Err(TsError::OutOfRange));
    }

    #[test]
    fn textual_dates() {
        let utc = Tz::UTC;
        let cases = [
            ("01/03/2024 12:00", Some(DateOrder::Dmy), T0),
            ("03/01/2024 12:00", Some(DateOrder::Mdy), T0),
            ("13/03/2024 12:00", None, T0 + 12 * 86_400_000),
            ("03/13/2024 12:00:00", None, T0 + 12 * 86_400_000),
            ("01.03.2024 12:00:00", Some(DateOrder::Dmy), T0),
            ("01.03.2024 12:00:00", None, T0),
            ("1-Mar-2024 12:00", None, T0),
            ("Mar 1, 2024 12:00:00 PM", None, T0),
            (
                "Mar 1, 2024 12:30 AM",
                None,
                T0 - 12 * 3_600_000 + 1_800_000,
            ),
            ("March 1 2024 1:00 p.m.", None, T0 + 3_600_000),
            ("Fri, 01 Mar 2024 13:00:00 +0100", None, T0),
            ("vie, 1 mar 2024 14:00:00 +02:00", None, T0),
            ("1 de marzo de 2024 12:00", None, T0),
            ("01/03/24 12:00", Some(DateOrder::Dmy), T0),
            ("12:00:00 01/03/2024", Some(DateOrder::Dmy), T0),
            ("2024-03-01 12:00:00.5 GMT", None, T0 + 500),
        ];
        for (s, order, want) in cases {
            let p = parse_ts(s, order, utc).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!(p.ms, want, "{s}");
        }
        assert_eq!(
            parse_ts("03/04/2024 10:00", None, utc),
            Err(TsError::Ambiguous)
        );
        assert_eq!(
            parse_ts("13/03/2024", None, utc).unwrap().evidence,
            Some(DateOrder::Dmy)
        );
        for bad in [
            "yesterday",
            "32/01/2024",
            "2024-02-30T00:00:00Z",
            "12:00",
            "1:2:3:4",
        ] {
            assert!(parse_ts(bad, None, utc).is_err(), "{bad}");
        }
    }

    #[test]
    fn naive_times_use_the_zone_including_dst() {
        let madrid: Tz = "Europe/Madrid".parse().unwrap();
        // Winter: UTC+1.
        assert_eq!(
            parse_ts("2024-03-01 13:00:00", None, madrid).unwrap().ms,
            T0
        );
        // Spring-forward gap 2024-03-31 02:30 does not exist: read with the offset before (+1).
        let gap = parse_ts("2024-03-31 02:30", None, madrid).unwrap().ms;
        assert_eq!(
            gap,
            parse_ts("2024-03-31T01:30:00Z", None, madrid).unwrap().ms
        );
        // Autumn fold 2024-10-27 02:30 happens twice: the first (+2) is taken.
        let fold = parse_ts("2024-10-27 02:30", None, madrid).unwrap().ms;
        assert_eq!(
            fold,
            parse_ts("2024-10-27T00:30:00Z", None, madrid).unwrap().ms
        );
    }

    #[test]
    fn explicit_formats() {
        let chicago: Tz = "America/Chicago".parse().unwrap();
        let p = parse_with_format("03/01/2024 06:00 AM", "%m/%d/%Y %I:%M %p", chicago).unwrap();
        assert_eq!((p.ms, p.naive), (T0, true));
    }
}
