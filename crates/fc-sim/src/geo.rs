//! Flat-earth geometry near a base city, smooth terrain and a daily weather cycle.

use std::f64::consts::PI;

/// Metres per degree of latitude (and of longitude at the equator).
pub(crate) const M_PER_DEG: f64 = 111_320.0;

/// A point moved by `north_m` / `east_m` (equirectangular; fine within a few hundred km).
pub(crate) fn offset(lat: f64, lon: f64, north_m: f64, east_m: f64) -> (f64, f64) {
    let lat2 = lat + north_m / M_PER_DEG;
    let lon2 = lon + east_m / (M_PER_DEG * lat.to_radians().cos());
    (lat2, lon2)
}

/// `(north_m, east_m)` from `a` to `b`.
pub(crate) fn delta_m(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let mid = ((a.0 + b.0) * 0.5).to_radians().cos();
    ((b.0 - a.0) * M_PER_DEG, (b.1 - a.1) * M_PER_DEG * mid)
}

/// [`delta_m`] with the cosine of the latitude precomputed (the drive loop's hot path).
pub(crate) fn delta_m_c(a: (f64, f64), b: (f64, f64), cos_lat: f64) -> (f64, f64) {
    ((b.0 - a.0) * M_PER_DEG, (b.1 - a.1) * M_PER_DEG * cos_lat)
}

/// [`offset`] with the cosine of the latitude precomputed.
pub(crate) fn offset_c(lat: f64, lon: f64, north_m: f64, east_m: f64, cos_lat: f64) -> (f64, f64) {
    (
        lat + north_m / M_PER_DEG,
        lon + east_m / (M_PER_DEG * cos_lat),
    )
}

/// Distance in metres.
pub(crate) fn dist_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (n, e) = delta_m(a, b);
    n.hypot(e)
}

/// SplitMix64: derives independent seeds and per-day values without shared RNG state.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A hash of several values.
pub(crate) fn mix_all(parts: &[u64]) -> u64 {
    parts.iter().fold(0x5EED_u64, |h, &p| mix(h ^ p))
}

/// Uniform in [0, 1) from a hash.
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Smooth rolling terrain: a sum of plane waves. Each wave's slope is bounded so
/// that grades stay in what roads allow (typically 1-3%, rarely 5-6%).
#[derive(Debug, Clone)]
pub(crate) struct Terrain {
    base_m: f64,
    /// (k_north, k_east in rad/m, amplitude m, phase rad)
    waves: Vec<(f64, f64, f64, f64)>,
}

impl Terrain {
    pub(crate) fn new(seed: u64) -> Self {
        let mut waves = Vec::new();
        for i in 0..5u64 {
            let h = |j: u64| unit(mix_all(&[seed, 0x7E22, i, j]));
            let wavelength = 3_000.0 + 37_000.0 * h(1);
            let dir = 2.0 * PI * h(2);
            // Max slope of this wave = 2 pi A / wavelength, held to 0.6-1.4%.
            let max_grade = 0.006 + 0.008 * h(3);
            let amp = max_grade * wavelength / (2.0 * PI);
            let k = 2.0 * PI / wavelength;
            waves.push((k * dir.cos(), k * dir.sin(), amp, 2.0 * PI * h(4)));
        }
        Terrain {
            base_m: 120.0 + 300.0 * unit(mix_all(&[seed, 0xA17])),
            waves,
        }
    }

    /// Altitude in metres at a position.
    pub(crate) fn alt(&self, lat: f64, lon: f64) -> f64 {
        let y = lat * M_PER_DEG;
        let x = lon * M_PER_DEG * 0.64; // fixed scale: keeps the field smooth and cheap
        let mut a = self.base_m;
        for &(kn, ke, amp, ph) in &self.waves {
            a += amp * (kn * y + ke * x + ph).sin();
        }
        a
    }

    pub(crate) fn base_m(&self) -> f64 {
        self.base_m
    }
}

/// Ambient temperature: seasonal mean, day-to-day weather, a daily cycle peaking
/// mid-afternoon, and the standard lapse rate with altitude.
#[derive(Debug, Clone)]
pub(crate) struct Climate {
    seed: u64,
    pub mean_c: f64,
    pub amp_c: f64,
    base_alt: f64,
    offset_ms: i64,
}

const DAY_MS: i64 = 86_400_000;

impl Climate {
    pub(crate) fn new(seed: u64, offset_min: i32, base_alt: f64) -> Self {
        Climate {
            seed,
            mean_c: -2.0 + 24.0 * unit(mix_all(&[seed, 0xC11])),
            amp_c: 4.0 + 4.0 * unit(mix_all(&[seed, 0xC12])),
            base_alt,
            offset_ms: i64::from(offset_min) * 60_000,
        }
    }

    fn weather(&self, day: i64) -> f64 {
        (unit(mix_all(&[self.seed, 0xD4, day as u64])) - 0.5) * 8.0
    }

    /// Degrees Celsius at UTC time `t` and altitude `alt`.
    pub(crate) fn ambient(&self, t: i64, alt: f64) -> f64 {
        let local = t + self.offset_ms;
        let day = local.div_euclid(DAY_MS);
        let frac = local.rem_euclid(DAY_MS) as f64 / DAY_MS as f64;
        // Weather interpolated between day centres so that it is continuous.
        let (d0, w) = if frac < 0.5 {
            (day - 1, frac + 0.5)
        } else {
            (day, frac - 0.5)
        };
        let weather = self.weather(d0) * (1.0 - w) + self.weather(d0 + 1) * w;
        let hour = frac * 24.0;
        let daily = self.amp_c * (2.0 * PI * (hour - 15.0) / 24.0).cos();
        self.mean_c + weather + daily - 0.0065 * (alt - self.base_alt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_distances_agree() {
        let a = (50.0, 8.0);
        let b = offset(a.0, a.1, 3_000.0, -4_000.0);
        assert!((dist_m(a, b) - 5_000.0).abs() < 5.0);
    }

    #[test]
    fn terrain_grades_are_road_like() {
        let t = Terrain::new(7);
        let mut max_grade: f64 = 0.0;
        let (mut lat, lon) = (50.0, 8.0);
        let mut prev = t.alt(lat, lon);
        for _ in 0..20_000 {
            lat += 10.0 / M_PER_DEG;
            let a = t.alt(lat, lon);
            max_grade = max_grade.max(((a - prev) / 10.0).abs());
            prev = a;
        }
        assert!(max_grade > 0.005 && max_grade < 0.08, "{max_grade}");
    }

    #[test]
    fn the_day_is_warmer_than_the_night_and_continuous() {
        let c = Climate::new(3, 60, 200.0);
        let midnight = 1_709_506_800_000; // local midnight
        let night = c.ambient(midnight + 4 * 3_600_000, 200.0);
        let afternoon = c.ambient(midnight + 15 * 3_600_000, 200.0);
        assert!(afternoon > night + 2.0, "{night} {afternoon}");
        for m in 0..2_000 {
            let t = midnight + m * 60_000;
            assert!((c.ambient(t + 60_000, 200.0) - c.ambient(t, 200.0)).abs() < 0.2);
        }
    }
}
