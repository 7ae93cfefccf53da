//! Prices and dates for the chosen language, by the browser's own `Intl` (`toLocaleString` on a
//! `Number` or a `Date`), so the Wasm carries no locale or time zone data; prices in the common
//! currencies by the domain's `format_local`, which writes them as `Intl` does.

use festival_domain::UnixMillis;
use festival_domain::money::{format_local, format_plain, is_currency_code, minor_digits};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::Lang;

/// A plain JS object with these string properties (the options of an `Intl` formatter).
fn options(pairs: &[(&str, &str)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    object
}

/// `value.toLocaleString(lang, options)`: the browser's `Intl` formats it (a `Date` or a
/// `Number` object), so the Wasm carries no locale or time zone data. `None` where the browser
/// refuses the options (an unknown zone or currency throws a `RangeError`, caught here rather
/// than in the page). One call path for prices and dates: cheaper in Wasm and glue than a
/// constructed `Intl.NumberFormat` and `Intl.DateTimeFormat` each (BENCHMARKS.md (e)).
fn locale_string(value: &JsValue, lang: Lang, pairs: &[(&str, &str)]) -> Option<String> {
    let method: Function = Reflect::get(value, &JsValue::from_str("toLocaleString"))
        .ok()?
        .dyn_into()
        .ok()?;
    let locale = JsValue::from_str(lang.tag());
    method
        .call2(value, &locale, &options(pairs))
        .ok()?
        .as_string()
}

/// A price as shoppers of `lang` read it, in the deal's currency: `$12.50`, `US$12.50`,
/// `₩12,000`, `¥88.00`. Prices in the common currencies are written as `Intl` writes them,
/// without it (`format_local` says why: the painted page's take-over calls no `Intl`). Falls
/// back to `USD 12.50` for a code `Intl` could refuse.
pub fn money(minor: i64, currency: &str, lang: Lang) -> String {
    if let Some(local) = format_local(minor, currency, lang) {
        return local;
    }
    if !is_currency_code(currency) {
        return format_plain(minor, currency);
    }
    let major = minor as f64 / 10f64.powi(minor_digits(currency) as i32);
    // A `Number` object, not a primitive: `Reflect.get` needs an object to find the method on.
    #[allow(deprecated)]
    let number = js_sys::Number::new(&JsValue::from_f64(major));
    locale_string(
        &number,
        lang,
        &[("style", "currency"), ("currency", currency)],
    )
    .unwrap_or_else(|| format_plain(minor, currency))
}

/// A moment as shoppers of `lang` read it. Without `zone`, in their own time zone: `Nov 11,
/// 2026, 12:00 AM`, `2026. 11. 11. 오전 12:00`, `2026年11月11日 00:00`. In a festival's `zone`
/// (an IANA name), with the zone named, and the shopper's own time beside it where the two
/// read differently: `Nov 11, 12:00 AM GMT+8 (Nov 10, 5:00 PM GMT+1)`.
pub fn date_time(at: UnixMillis, lang: Lang, zone: Option<&str>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.0 as f64));
    let Some(zone) = zone else {
        return locale_string(
            &date,
            lang,
            &[("dateStyle", "medium"), ("timeStyle", "short")],
        )
        .unwrap_or_default();
    };
    let fields = [
        ("month", "short"),
        ("day", "numeric"),
        ("hour", "numeric"),
        ("minute", "2-digit"),
        ("timeZoneName", "short"),
    ];
    let own = locale_string(&date, lang, &fields);
    let there = locale_string(&date, lang, &[&fields[..], &[("timeZone", zone)]].concat());
    match (there, own) {
        (Some(there), Some(own)) if there != own => format!("{there} ({own})"),
        (there, own) => there.or(own).unwrap_or_default(),
    }
}
