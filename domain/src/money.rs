//! Money in minor units (cents, fen, won), never floating point.

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// An amount in the currency's minor unit with its ISO 4217 code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units (e.g. cents).
    pub minor: i64,
    /// ISO 4217 code, three upper-case letters.
    pub currency: String,
}

/// Number of minor units in one major unit for an ISO 4217 currency (KRW and JPY have none).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "KRW" | "JPY" | "VND" | "CLP" | "ISK" => 0,
        _ => 2,
    }
}

/// Whether `code` looks like an ISO 4217 code: three ASCII upper-case letters.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Discount of `price` against `was_price`, in whole percent rounded down (0 when not cheaper,
/// at most 100 for a price below zero, which the schedule's rules refuse anyway).
pub fn discount_percent(price_minor: i64, was_price_minor: i64) -> u32 {
    if was_price_minor <= 0 || price_minor >= was_price_minor {
        return 0;
    }
    // In i128 before subtracting: a negative price below a large regular price overflows i64.
    let (price, was) = (i128::from(price_minor), i128::from(was_price_minor));
    let off = ((was - price) * 100 / was).min(100);
    off as u32
}

/// Plain formatting of an amount with its currency code, e.g. `USD 19.99`, `KRW 12,000`.
pub fn format_plain(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = 10u64.pow(digits);
    let whole = group_thousands(abs / scale);
    if digits == 0 {
        format!("{currency} {sign}{whole}")
    } else {
        let frac = abs % scale;
        format!(
            "{currency} {sign}{whole}.{frac:0width$}",
            width = digits as usize
        )
    }
}

/// The symbols `Intl.NumberFormat` writes for the currencies [`format_local`] knows, in
/// English, Korean and Chinese (`Lang`'s order): a table rather than a `match`, smaller in the
/// storefront's Wasm.
const SYMBOLS: [(&str, [&str; 3]); 6] = [
    ("USD", ["$", "US$", "US$"]),
    ("EUR", ["€", "€", "€"]),
    ("GBP", ["£", "£", "£"]),
    ("JPY", ["¥", "JP¥", "JP¥"]),
    ("KRW", ["₩", "₩", "₩"]),
    ("CNY", ["CN¥", "CN¥", "¥"]),
];

/// An amount as the browser's `Intl.NumberFormat` writes it for `lang` in the currencies a shop
/// most often sells in (`$12.50`, `US$12.50`, `-€12.50`, `₩12,000`), `None` for any other
/// currency. The edge paints prices with it and the storefront writes them with it rather than
/// asking `Intl`: a page's first call to `Intl` loads the browser's locale data, 70–150 ms on
/// one thread, which would fall in the storefront's start (BENCHMARKS.md, Lighthouse).
pub fn format_local(minor: i64, currency: &str, lang: Lang) -> Option<String> {
    let (_, symbols) = SYMBOLS.iter().find(|(code, _)| *code == currency)?;
    // `USD -12.50` → `-$12.50`, pushed rather than `format!`ed or joined: smaller in the Wasm.
    let plain = format_plain(minor, currency);
    let amount = plain.get(currency.len() + 1..).unwrap_or_default();
    let digits = amount.strip_prefix('-').unwrap_or(amount);
    let mut local = String::from(if minor < 0 { "-" } else { "" });
    local.push_str(symbols[lang as usize]);
    local.push_str(digits);
    Some(local)
}

fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each as Chromium's `toLocaleString(lang, {style: "currency", currency})` wrote it.
    #[test]
    fn prices_as_the_browser_writes_them() {
        let written = |minor, currency, lang| format_local(minor, currency, lang).unwrap();
        assert_eq!(written(1250, "USD", Lang::En), "$12.50");
        assert_eq!(written(1250, "USD", Lang::Ko), "US$12.50");
        assert_eq!(written(-1_234_567, "USD", Lang::Zh), "-US$12,345.67");
        assert_eq!(written(-1250, "EUR", Lang::En), "-€12.50");
        assert_eq!(written(129_900, "GBP", Lang::Ko), "£1,299.00");
        assert_eq!(written(1_234_567, "JPY", Lang::En), "¥1,234,567");
        assert_eq!(written(1_234_567, "JPY", Lang::Ko), "JP¥1,234,567");
        assert_eq!(written(12_000, "KRW", Lang::Zh), "₩12,000");
        assert_eq!(written(88_00, "CNY", Lang::En), "CN¥88.00");
        assert_eq!(written(88_00, "CNY", Lang::Ko), "CN¥88.00");
        assert_eq!(written(88_00, "CNY", Lang::Zh), "¥88.00");
        assert_eq!(format_local(1250, "CHF", Lang::En), None);
    }

    #[test]
    fn discount_rounds_down_and_never_negative() {
        assert_eq!(discount_percent(7_500, 10_000), 25);
        assert_eq!(discount_percent(6_667, 10_000), 33);
        assert_eq!(discount_percent(10_000, 10_000), 0);
        assert_eq!(discount_percent(12_000, 10_000), 0);
        assert_eq!(discount_percent(1, 0), 0);
        // Found by `fuzz_deals_json_and_rules`: this subtraction overflowed i64.
        assert_eq!(discount_percent(-2, i64::MAX - 1), 100);
        assert_eq!(discount_percent(i64::MIN, i64::MAX), 100);
    }

    #[test]
    fn formats_minor_units_per_currency() {
        assert_eq!(format_plain(1_999, "USD"), "USD 19.99");
        assert_eq!(format_plain(1_234_500, "CNY"), "CNY 12,345.00");
        assert_eq!(format_plain(12_000, "KRW"), "KRW 12,000");
        assert_eq!(format_plain(5, "EUR"), "EUR 0.05");
    }

    #[test]
    fn currency_codes_are_three_capitals() {
        assert!(is_currency_code("USD"));
        assert!(!is_currency_code("usd"));
        assert!(!is_currency_code("US"));
    }
}
