//! Moments as a marketer reads and types them: in the browser's own time zone.

use festival_domain::UnixMillis;
use wasm_bindgen::JsValue;

use crate::i18n::{Lang, lang, tf};

/// The moment a `datetime-local` input names (`2026-11-11T00:00`), read in the browser's time
/// zone; `None` when empty or invalid.
pub fn from_datetime_local(value: &str) -> Option<UnixMillis> {
    if value.trim().is_empty() {
        return None;
    }
    let millis = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    millis.is_finite().then_some(UnixMillis(millis as i64))
}

/// `at` as a `datetime-local` value in the browser's time zone.
pub fn to_datetime_local(at: UnixMillis) -> String {
    let d = date(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// `2026-11-11 00:00`.
pub fn date_time(at: UnixMillis) -> String {
    to_datetime_local(at).replacen('T', " ", 1)
}

/// `00:00:12`.
pub fn clock(at: UnixMillis) -> String {
    let d = date(at);
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// A span in words: `12 s`, `3 min 04 s`, `2 h 05 min`.
pub fn span(millis: i64) -> String {
    let s = millis.max(0) / 1_000;
    let two = |n: i64| format!("{n:02}");
    match s {
        0..60 => tf("{n} s", &[&s.to_string()]),
        60..3_600 => tf("{n} min {m} s", &[&(s / 60).to_string(), &two(s % 60)]),
        _ => tf(
            "{n} h {m} min",
            &[&(s / 3_600).to_string(), &two(s % 3_600 / 60)],
        ),
    }
}

/// The browser's time zone as an offset, e.g. `UTC+09:00`.
pub fn zone() -> String {
    let minutes = -(js_sys::Date::new_0().get_timezone_offset() as i64);
    let sign = if minutes < 0 { '-' } else { '+' };
    let minutes = minutes.abs();
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

fn date(at: UnixMillis) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.0 as f64))
}

/// `at` as read in the IANA `zone` (`Nov 11, 2026, 00:00 GMT+8`), through the browser's
/// `Intl` (no time zone data in the Wasm) in the console's language (British English for
/// English); `None` where the browser does not know the zone.
pub fn in_zone(at: UnixMillis, zone: Option<&str>) -> Option<String> {
    use wasm_bindgen::JsCast;
    let options = js_sys::Object::new();
    let mut pairs = vec![
        ("year", "numeric"),
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("hourCycle", "h23"),
        ("timeZoneName", "short"),
    ];
    pairs.extend(zone.map(|zone| ("timeZone", zone)));
    for (key, value) in pairs {
        js_sys::Reflect::set(&options, &key.into(), &value.into()).ok()?;
    }
    let locale = match lang() {
        Lang::En => "en-GB",
        other => other.tag(),
    };
    let date = date(at);
    let method: js_sys::Function = js_sys::Reflect::get(&date, &"toLocaleString".into())
        .ok()?
        .dyn_into()
        .ok()?;
    // A zone the browser does not know throws a RangeError: `call2` hands it back as an Err.
    method
        .call2(&date, &locale.into(), &options)
        .ok()?
        .as_string()
}

/// `at` in a festival's `zone`, with the marketer's own time beside it where it reads
/// differently: `11 Nov 2026, 00:00 GMT+8 (yours: 10 Nov 2026, 17:00 GMT+1)`.
pub fn festival_time(at: UnixMillis, zone: &str) -> String {
    let own = in_zone(at, None).unwrap_or_else(|| date_time(at));
    match in_zone(at, Some(zone)) {
        Some(there) if there != own => tf("{n} (yours: {m})", &[&there, &own]),
        Some(there) => there,
        None => own,
    }
}
