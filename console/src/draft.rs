//! A sale as the marketer types it: text fields turned into a [`Deal`], with every problem named
//! by its field. Typing problems (a price that is not a number) are found here; scheduling rules
//! come from `Deal::schedule_problems`, the same function origin runs.

use std::collections::BTreeMap;

use festival_domain::deal::{DealWords, Translations};
use festival_domain::money::minor_digits;
use festival_domain::{Deal, DealId, UnixMillis};

use crate::i18n::{t, translated};

/// The form's fields, as typed. Prices are in major units ("12.50"); times are the moments the
/// datetime inputs name, already read in the browser's time zone (`None` while empty or invalid).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// Product name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Picture URL.
    pub image_url: String,
    /// Sale price, major units.
    pub price: String,
    /// Regular price, major units.
    pub was_price: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Units for sale.
    pub stock: String,
    /// Opening moment.
    pub starts_at: Option<UnixMillis>,
    /// Closing moment.
    pub ends_at: Option<UnixMillis>,
    /// Units per customer.
    pub per_customer_limit: String,
    /// The name and description in other languages, as typed.
    pub translations: Translations,
}

/// Problems by field name (as in [`Deal`]); one message per field, the first found.
pub type Problems = BTreeMap<&'static str, String>;

impl Draft {
    /// The deal this draft describes under `id` (keeping `shards` of an edited deal), or the
    /// problems to show beside the fields. `now` is the shop's clock.
    pub fn to_deal(&self, id: DealId, shards: u32, now: UnixMillis) -> Result<Deal, Problems> {
        let mut problems = Problems::new();
        let currency = self.currency.trim().to_ascii_uppercase();
        let mut money = |field, text: &str| {
            parse_major(text, &currency).unwrap_or_else(|| {
                problems.insert(field, money_hint(&currency));
                1
            })
        };
        let price_minor = money("price_minor", &self.price);
        let was_price_minor = money("was_price_minor", &self.was_price);
        let mut count = |field, text: &str, problem: &str| {
            text.trim().parse::<u32>().unwrap_or_else(|_| {
                problems.insert(field, problem.to_owned());
                1
            })
        };
        let stock = count(
            "stock",
            &self.stock,
            t("Enter the stock as a whole number."),
        );
        let per_customer_limit = count(
            "per_customer_limit",
            &self.per_customer_limit,
            t("Enter the limit as a whole number."),
        );
        let mut moment = |field, at: Option<UnixMillis>, problem: &str| {
            at.unwrap_or_else(|| {
                problems.insert(field, problem.to_owned());
                UnixMillis(i64::MAX / 2)
            })
        };
        let starts_at = moment(
            "starts_at",
            self.starts_at,
            t("Choose when the sale starts."),
        );
        let ends_at = moment("ends_at", self.ends_at, t("Choose when the sale ends."));
        let deal = Deal {
            id,
            name: self.name.trim().to_owned(),
            description: self.description.trim().to_owned(),
            image_url: self.image_url.trim().to_owned(),
            price_minor,
            was_price_minor,
            currency,
            stock,
            starts_at,
            ends_at,
            per_customer_limit,
            shards,
            translations: given_words(&self.translations),
        };
        for problem in deal.schedule_problems(now) {
            // A typing problem says more than a rule broken by its placeholder value.
            problems
                .entry(problem.field)
                .or_insert_with(|| translated(problem.message));
        }
        if problems.is_empty() {
            Ok(deal)
        } else {
            Err(problems)
        }
    }

    /// The draft of an existing deal, for editing.
    pub fn of(deal: &Deal) -> Draft {
        Draft {
            name: deal.name.clone(),
            description: deal.description.clone(),
            image_url: deal.image_url.clone(),
            price: format_major(deal.price_minor, &deal.currency),
            was_price: format_major(deal.was_price_minor, &deal.currency),
            currency: deal.currency.clone(),
            stock: deal.stock.to_string(),
            starts_at: Some(deal.starts_at),
            ends_at: Some(deal.ends_at),
            per_customer_limit: deal.per_customer_limit.to_string(),
            translations: deal.translations.clone(),
        }
    }
}

/// The words typed in other languages, trimmed; a language left blank is left out.
fn given_words(typed: &Translations) -> Translations {
    typed
        .iter()
        .map(|words| DealWords {
            lang: words.lang.clone(),
            name: words.name.trim().to_owned(),
            description: words.description.trim().to_owned(),
        })
        .filter(|words| !words.name.is_empty() || !words.description.is_empty())
        .collect()
}

fn money_hint(currency: &str) -> String {
    if minor_digits(currency) == 0 {
        t("Enter an amount like 12000.").into()
    } else {
        t("Enter an amount like 12.50.").into()
    }
}

/// `"12.5"` in a two-digit currency is 1250 minor units; more decimals than the currency has,
/// signs, or anything but digits and one `.` is no amount. Thousands separators `,` are allowed.
pub fn parse_major(text: &str, currency: &str) -> Option<i64> {
    let text: String = text.trim().chars().filter(|c| *c != ',').collect();
    let digits = minor_digits(currency) as usize;
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || fraction.len() > digits
        || whole.len() > 15
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let padded = format!("{fraction:0<digits$}");
    let fraction: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().ok()?
    };
    whole
        .checked_mul(10_i64.pow(digits as u32))?
        .checked_add(fraction)
}

/// Minor units as the major amount a marketer types: 1250 → `"12.50"`, KRW 12000 → `"12000"`.
pub fn format_major(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    if digits == 0 {
        return minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    format!(
        "{}.{:0width$}",
        minor / scale,
        (minor % scale).abs(),
        width = digits as usize
    )
}

/// A URL-safe deal id from the product name, with `suffix` so that the same product can be sold
/// again later: "Silk Lantern Set!" → `silk-lantern-set-k3x9`.
pub fn deal_id_for(name: &str, suffix: &str) -> DealId {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    let slug = slug.trim_end_matches('-');
    let id = if slug.is_empty() {
        format!("deal-{suffix}")
    } else {
        format!("{slug}-{suffix}")
    };
    DealId::parse(&id).unwrap_or_else(|_| DealId::parse("deal").expect("a valid id"))
}

/// Base-36 text of `n`, for id suffixes.
pub fn base36(mut n: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(ALPHABET[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Draft {
        Draft {
            name: "Silk lantern".into(),
            price: "12.50".into(),
            was_price: "25".into(),
            currency: "usd".into(),
            stock: "10".into(),
            starts_at: Some(UnixMillis(10_000)),
            ends_at: Some(UnixMillis(20_000)),
            per_customer_limit: "2".into(),
            ..Draft::default()
        }
    }

    #[test]
    fn words_in_other_languages_are_trimmed_and_blank_ones_left_out() {
        let mut draft = valid();
        for (lang, name) in [("ko", "  실크 등불 "), ("zh-CN", "   ")] {
            let words = DealWords {
                lang: lang.into(),
                name: name.into(),
                description: String::new(),
            };
            draft.translations.push(words);
        }
        let id = DealId::parse("lantern").unwrap();
        let deal = draft.to_deal(id, 0, UnixMillis(0)).unwrap();
        let languages: Vec<_> = deal.translations.iter().map(|w| w.lang.as_str()).collect();
        assert_eq!(languages, ["ko"]);
        assert_eq!(deal.translations[0].name, "실크 등불");
        assert_eq!(Draft::of(&deal).translations, deal.translations);
    }

    #[test]
    fn amounts_follow_the_currency() {
        assert_eq!(parse_major("12.5", "USD"), Some(1_250));
        assert_eq!(parse_major("1,234.56", "USD"), Some(123_456));
        assert_eq!(parse_major(".5", "USD"), Some(50));
        assert_eq!(parse_major("12000", "KRW"), Some(12_000));
        for bad in ["", ".", "1.234", "-3", "1e3", "abc", "12.5.1"] {
            assert_eq!(parse_major(bad, "USD"), None, "{bad:?}");
        }
        assert_eq!(parse_major("12.5", "KRW"), None);
        assert_eq!(format_major(1_250, "USD"), "12.50");
        assert_eq!(format_major(12_000, "KRW"), "12000");
    }

    #[test]
    fn a_valid_draft_is_a_deal() {
        let id = DealId::parse("lantern").unwrap();
        let deal = valid().to_deal(id, 0, UnixMillis(0)).unwrap();
        assert_eq!((deal.price_minor, deal.was_price_minor), (1_250, 2_500));
        assert_eq!(deal.currency, "USD");
        assert_eq!(Draft::of(&deal).price, "12.50");
    }

    #[test]
    fn each_problem_is_named_by_its_field() {
        let id = DealId::parse("lantern").unwrap();
        let draft = Draft {
            name: " ".into(),
            price: "30".into(),
            stock: "many".into(),
            ends_at: None,
            ..valid()
        };
        let problems = draft.to_deal(id, 0, UnixMillis(15_000)).unwrap_err();
        let fields: Vec<_> = problems.keys().copied().collect();
        assert_eq!(
            fields,
            ["ends_at", "name", "price_minor", "starts_at", "stock"]
        );
        assert!(problems["stock"].contains("whole number"));
        assert!(problems["price_minor"].contains("below the regular price"));
    }

    #[test]
    fn ids_are_slugs_with_a_suffix() {
        assert_eq!(
            deal_id_for("Silk Lantern Set!", "k3x9").as_str(),
            "silk-lantern-set-k3x9"
        );
        assert_eq!(deal_id_for("茶", "a1").as_str(), "deal-a1");
        assert_eq!(base36(36 * 36 + 35), "10z");
    }
}
