//! Time as the server sees it: milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};

/// A moment, in milliseconds since the Unix epoch (UTC). Every clock reading enters the domain as
/// one of these, so rules never read a clock themselves.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    /// This moment shifted by `millis` (negative moves back).
    pub fn plus_millis(self, millis: i64) -> Self {
        UnixMillis(self.0.saturating_add(millis))
    }

    /// Whole milliseconds from `self` until `later` (negative if `later` is earlier).
    pub fn millis_until(self, later: UnixMillis) -> i64 {
        later.0.saturating_sub(self.0)
    }
}

/// `at` as `2026-11-11 00:00:00 UTC`, for words a server sends (it knows no reader's time zone).
pub fn format_utc(at: UnixMillis) -> String {
    let (year, month, day, [hour, minute, second, _]) = civil(at);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02} UTC")
}

/// `at` as ISO 8601 in UTC with milliseconds, `2026-11-11T00:00:00.123Z`: what spreadsheets and
/// other programs read.
pub fn format_iso(at: UnixMillis) -> String {
    let (year, month, day, [hour, minute, second, milli]) = civil(at);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// `at`'s UTC date, and its hour, minute, second and millisecond.
fn civil(at: UnixMillis) -> (i64, u32, u32, [i64; 4]) {
    let seconds = at.0.div_euclid(1_000);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let time = [
        of_day / 3_600,
        of_day % 3_600 / 60,
        of_day % 60,
        at.0.rem_euclid(1_000),
    ];
    (year, month, day, time)
}

/// Time left as a shopper reads it: `01:59`, `02:03:04` from an hour on, `2d 03:04:05` from a
/// day on (`days` is the language's unit with its space: `"d "`, `"일 "`, `"天 "`). Rounds up,
/// so `00:00` is never shown while the moment is still ahead.
pub fn format_countdown(millis_left: i64, days_unit: &str) -> String {
    let secs = (millis_left.max(0) + 999) / 1000;
    let (days, hours) = (secs / 86_400, secs % 86_400 / 3_600);
    let (mins, secs) = (secs % 3_600 / 60, secs % 60);
    if days > 0 {
        format!("{days}{days_unit}{hours:02}:{mins:02}:{secs:02}")
    } else if hours > 0 {
        format!("{hours:02}:{mins:02}:{secs:02}")
    } else {
        format!("{mins:02}:{secs:02}")
    }
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`: exact for every day, no tables).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_moments_read_as_calendar_dates() {
        assert_eq!(format_utc(UnixMillis(0)), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            format_utc(UnixMillis(951_782_400_000)),
            "2000-02-29 00:00:00 UTC"
        );
        assert_eq!(
            format_utc(UnixMillis(1_794_355_199_999)),
            "2026-11-10 23:59:59 UTC"
        );
        assert_eq!(format_utc(UnixMillis(-1)), "1969-12-31 23:59:59 UTC");
        assert_eq!(
            format_iso(UnixMillis(1_794_355_199_999)),
            "2026-11-10T23:59:59.999Z"
        );
        assert_eq!(format_iso(UnixMillis(-1)), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn countdown_rounds_up_and_grows_units() {
        assert_eq!(format_countdown(119_000, "d "), "01:59");
        assert_eq!(format_countdown(118_001, "d "), "01:59");
        assert_eq!(format_countdown(1, "d "), "00:01");
        assert_eq!(format_countdown(-5, "d "), "00:00");
        assert_eq!(format_countdown(3_723_000, "d "), "01:02:03");
        let two_days = 2 * 86_400_000 + 3_723_000;
        assert_eq!(format_countdown(two_days, "d "), "2d 01:02:03");
        assert_eq!(format_countdown(two_days, "天 "), "2天 01:02:03");
    }
}
