//! The storefront's page as HTML, for a catalog at a moment: what the app renders in the
//! shopper's language — skip link, header, hero, deal cards, footer — so a shopper sees the deals
//! before the Wasm has loaded. The words are the app's own ([`Words`]); the elements and classes are
//! the app's (`app/src/lib.rs`,
//! `components/hero.rs`, `routes/festival.rs`, `components/deal_card.rs`, `deal_parts.rs`); the
//! app takes the page over without a shift only while they match, which
//! `tests/src/first_paint.rs` checks in Chromium.
//!
//! No element here carries a `data-testid`: tests and scripts find only the live app's
//! elements, never this picture of them, which has no handlers (a click on its Buy does nothing
//! until the app has taken over, a fraction of a second later).

use festival_domain::availability::{Availability, stock_percent};
use festival_domain::catalog::FestivalPhase;
use festival_domain::lang::Lang;
use festival_domain::money::{discount_percent, format_local, format_plain};
use festival_domain::time::format_countdown;
use festival_domain::words::{Text, fill};
use festival_domain::{Catalog, CatalogDeal, UnixMillis};

use super::words::Words;

/// The page's body as the app renders it for `catalog` in `words`' language, at the catalog's
/// server time.
pub fn page(catalog: &Catalog, words: &Words) -> String {
    let now = catalog.server_time;
    let status = if catalog.deals.is_empty() {
        format!(
            r#"<p class="deals-status" role="status">{}</p>"#,
            words.get(Text::NoDeals)
        )
    } else {
        String::new()
    };
    let cards: String = catalog
        .deals
        .iter()
        .map(|entry| card(entry, now, words))
        .collect();
    // The language switch, each language by its own name, the shopper's chosen.
    let languages: String = Lang::ALL
        .iter()
        .map(|lang| {
            let selected = if *lang == words.lang() {
                " selected"
            } else {
                ""
            };
            format!(
                r#"<option value="{tag}" lang="{tag}"{selected}>{name}</option>"#,
                tag = lang.tag(),
                name = lang.native_name()
            )
        })
        .collect();
    format!(
        r##"<a class="skip-link" href="#main">{skip}</a>
<header class="site-header"><a href="/" class="brand"><span class="brand-mark" aria-hidden="true">{mark}</span><span class="brand-name">{brand}</span></a><nav class="site-nav"><a href="/orders" class="nav-link">{my_orders}</a><select class="language" aria-label="{language}">{languages}</select></nav></header>
<div class="offline-slot" role="status"></div>
<main id="main" class="page" tabindex="-1">
{hero}
<section class="deals" aria-labelledby="deals-heading"><h2 id="deals-heading" class="deals-heading">{flash_deals}</h2>{status}<ul class="deal-grid">
{cards}</ul></section>
</main>
<footer class="site-footer"><p>{footer}</p></footer>
"##,
        skip = words.get(Text::SkipToContent),
        // The app's brand mark names the festival it shows: the running one here.
        mark = catalog
            .festival
            .as_ref()
            .map(|f| escape(&f.name))
            .unwrap_or_default(),
        brand = words.get(Text::BrandName),
        my_orders = words.get(Text::MyOrders),
        language = words.get(Text::Language),
        flash_deals = words.get(Text::FlashDeals),
        footer = words.get(Text::Footer),
        hero = hero(catalog, now, words),
    )
}

/// The festival's banner, as `Hero` renders it during a festival (or with none scheduled):
/// the running festival's name and tagline, and where the sale stands. Between festivals the
/// page is not painted (`first_paint::storefront`).
fn hero(catalog: &Catalog, now: UnixMillis, words: &Words) -> String {
    let phase = FestivalPhase::of(Some(&catalog.deals), None, now);
    let (class, role, label) = match phase {
        FestivalPhase::Loading | FestivalPhase::NoDeals => {
            ("hero-when hero-wait", "status", Text::GetReady)
        }
        FestivalPhase::Upcoming { .. } => ("hero-when countdown", "timer", Text::StartsIn),
        FestivalPhase::OnSale => ("hero-when on-sale", "status", Text::OnSaleNow),
        FestivalPhase::Paused => ("hero-when paused", "status", Text::StatePaused),
        FestivalPhase::Over => ("hero-when", "status", Text::FestivalOver),
    };
    let (kicker, label) = (words.get(Text::HeroKicker), words.get(label));
    let countdown = match phase {
        FestivalPhase::Upcoming { starts_at } => {
            format_countdown(now.millis_until(starts_at), &words.get(Text::DaysShort))
        }
        _ => String::new(),
    };
    let festival = catalog.festival.as_ref();
    let name = festival.map_or_else(|| words.get(Text::BrandName), |f| escape(&f.name));
    let tagline = festival.map(|f| escape(&f.tagline)).unwrap_or_default();
    format!(
        r#"<section class="hero" aria-labelledby="festival-name"><p class="hero-kicker">{kicker}</p><h1 id="festival-name" class="hero-title">{name}</h1><p class="hero-tagline">{tagline}</p><p class="{class}" role="{role}"><span class="pulse" aria-hidden="true"></span><span class="hero-label">{label}</span> <span class="countdown-digits">{countdown}</span></p><p class="hero-next"></p></section>"#
    )
}

/// One card, as `DealCard` renders it with no purchase under way.
pub fn card(entry: &CatalogDeal, now: UnixMillis, words: &Words) -> String {
    let (deal, left) = (&entry.deal, entry.stock_left);
    let (id, name) = (escape(deal.id.as_str()), escape(&deal.name));
    let picture = if deal.image_url.is_empty() {
        let initial = deal.name.chars().next().unwrap_or('★').to_string();
        format!(
            r#"<div class="deal-image deal-placeholder" aria-hidden="true"><span class="placeholder-mark">{}</span></div>"#,
            escape(&initial)
        )
    } else {
        format!(
            r#"<img class="deal-image" src="{}" alt="{name}" loading="lazy">"#,
            escape(&deal.image_url)
        )
    };
    let state = Availability::listed(entry, now);
    let state_words = words.get(state.text());
    let countdown = match state {
        Availability::Upcoming { starts_at } => {
            let left = format_countdown(now.millis_until(starts_at), &words.get(Text::DaysShort));
            format!(
                r#"<span class="deal-countdown" role="timer">{}</span>"#,
                fill(&words.get(Text::OpensIn), &[&left])
            )
        }
        _ => String::new(),
    };
    let label = if state.can_buy() {
        words.get(Text::BuyNow)
    } else {
        state_words.clone()
    };
    format!(
        r#"<li class="deal-card" data-deal-id="{id}">{picture}<p class="deal-state" data-state="{code}"><span class="state-badge">{state_words}</span>{countdown}</p><p class="deal-discount">{off}</p><h3 class="deal-name"><a href="/deals/{id}">{name}</a></h3><p class="deal-prices"><span class="visually-hidden">{now_words}</span><span class="deal-price">{price}</span> <span class="visually-hidden">{was_words}</span><s class="deal-was-price">{was}</s></p><div class="deal-stock-row"><p class="deal-stock">{stock_left}</p><div class="stock-bar{low}" aria-hidden="true"><span class="stock-fill" style="width: {percent}%;"></span></div></div><p class="deal-limit">{limit}</p><button type="button" class="buy-button" aria-label="{label}: {name}"{disabled}>{label}</button></li>
"#,
        code = state.code(),
        off = fill(
            &words.get(Text::PercentOff),
            &[&discount_percent(deal.price_minor, deal.was_price_minor).to_string()]
        ),
        now_words = words.get(Text::Now),
        was_words = words.get(Text::Was),
        stock_left = fill(
            &words.get(Text::StockLeft),
            &[&left.to_string(), &deal.stock.to_string()]
        ),
        price = escape(&money(deal.price_minor, &deal.currency, words.lang())),
        was = escape(&money(deal.was_price_minor, &deal.currency, words.lang())),
        low = if state.is_low() { " low" } else { "" },
        percent = stock_percent(left, deal.stock),
        limit = fill(
            &words.get(Text::LimitPerShopper),
            &[&deal.per_customer_limit.to_string()]
        ),
        disabled = if state.can_buy() { "" } else { " disabled" },
    )
}

/// An amount as the storefront writes it in `lang` (the domain's, else plain).
fn money(minor: i64, currency: &str, lang: Lang) -> String {
    format_local(minor, currency, lang).unwrap_or_else(|| format_plain(minor, currency))
}

/// Text for HTML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use festival_domain::{Deal, Festival};

    use super::*;

    /// A deal of 10 units open from 100 s to 900 s, as origin's catalog sends it.
    pub(crate) fn sample_deal() -> Deal {
        serde_json::from_value(serde_json::json!({
            "id": "lantern", "name": "Silk lantern", "description": "", "image_url": "",
            "price_minor": 7_500, "was_price_minor": 10_000, "currency": "USD", "stock": 10,
            "starts_at": 100_000, "ends_at": 900_000, "per_customer_limit": 2, "shards": 0,
        }))
        .expect("a valid deal")
    }

    fn catalog_at(now: i64, stock_left: u32) -> Catalog {
        Catalog {
            server_time: UnixMillis(now),
            deals: vec![CatalogDeal {
                deal: sample_deal(),
                stock_left,
                paused: false,
            }],
            festival: None,
            next_festival: None,
        }
    }

    /// A festival running from 0 to 1,000 s.
    pub(crate) fn sample_festival() -> Festival {
        Festival {
            id: "singles-day".into(),
            name: "11.11".into(),
            tagline: "Flash deals, while stock lasts.".into(),
            starts_at: UnixMillis(0),
            ends_at: UnixMillis(1_000_000),
            time_zone: "Asia/Shanghai".into(),
            accent: "#b0001d".into(),
            deals: vec![sample_deal().id],
        }
    }

    #[test]
    fn a_deal_before_its_start_counts_down_in_the_hero_and_on_its_card() {
        let deal = sample_deal();
        let page = page(
            &catalog_at(deal.starts_at.0 - 61_000, deal.stock),
            &Words::english(),
        );
        assert!(
            page.contains(r#"<span class="countdown-digits">01:01</span>"#),
            "{page}"
        );
        assert!(page.contains("Opens in 01:01"), "{page}");
        assert!(page.contains(r#"data-state="upcoming""#), "{page}");
        assert!(page.contains(" disabled>Coming soon</button>"), "{page}");
    }

    #[test]
    fn an_open_deal_shows_its_stock_and_can_be_bought() {
        let deal = sample_deal();
        let page = page(&catalog_at(deal.starts_at.0 + 1, 1), &Words::english());
        assert!(page.contains("On sale now"), "{page}");
        assert!(
            page.contains(&format!("1 of {} left", deal.stock)),
            "{page}"
        );
        assert!(page.contains(r#"class="stock-bar low""#), "{page}");
        assert!(page.contains(r#"<button type="button" class="buy-button" aria-label="Buy now: "#));
    }

    #[test]
    fn every_open_deal_paused_pauses_the_hero_too() {
        let deal = sample_deal();
        let mut catalog = catalog_at(deal.starts_at.0 + 1, 1);
        catalog.deals[0].paused = true;
        let page = page(&catalog, &Words::english());
        assert!(
            page.contains(r#"<p class="hero-when paused" role="status">"#),
            "{page}"
        );
        assert!(!page.contains("On sale now"), "{page}");
    }

    #[test]
    fn an_empty_catalog_says_so_and_nothing_is_a_test_target() {
        let page = page(
            &Catalog {
                server_time: UnixMillis(0),
                deals: Vec::new(),
                festival: None,
                next_festival: None,
            },
            &Words::english(),
        );
        assert!(page.contains("No deals are scheduled yet"), "{page}");
        assert!(page.contains("Get ready for midnight"), "{page}");
        assert!(!page.contains("data-testid"), "{page}");
    }

    #[test]
    fn the_hero_names_the_running_festival_else_the_shop() {
        let mut catalog = catalog_at(0, 1);
        assert!(
            page(&catalog, &Words::english())
                .contains(r#"class="hero-title">Festival</h1><p class="hero-tagline"></p>"#)
        );
        assert!(
            page(&catalog, &Words::english())
                .contains(r#"aria-hidden="true"></span><span class="brand-name">"#)
        );
        catalog.festival = Some(sample_festival());
        let page = page(&catalog, &Words::english());
        assert!(page.contains(r#"<span class="brand-mark" aria-hidden="true">11.11</span>"#));
        assert!(
            page.contains(r#"class="hero-title">11.11</h1><p class="hero-tagline">Flash deals, while stock lasts.</p>"#),
            "{page}"
        );
    }

    #[test]
    fn a_marketers_words_cannot_open_markup() {
        let mut entry = catalog_at(0, 1);
        entry.deals[0].deal.name = r#"<script>"x"&"#.into();
        let mut festival = sample_festival();
        festival.tagline = "<b>".into();
        entry.festival = Some(festival);
        let page = page(&entry, &Words::english());
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
        assert!(page.contains("&lt;script&gt;&quot;x&quot;&amp;"), "{page}");
    }
}
