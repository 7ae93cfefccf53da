//! `GET /api/static-cards`: the storefront's deal cards as one static HTML page — no Wasm, no
//! JavaScript. It exists for `cargo xtask bench`, which times navigation → first painted deal
//! card on the storefront (`/`) and on this page, both served by this Worker, and reports the
//! ratio. Same markup and classes as `app/src/components/deal_card.rs` (English text, no live
//! countdown), the same stylesheet (the `<link rel="stylesheet">` of the storefront's
//! `index.html`), the same schedule and stock (the catalog's board). Nothing links to it, and
//! only a development edge serves it.

use festival_domain::availability::{Availability, stock_percent};
use festival_domain::money::{discount_percent, format_plain};
use festival_domain::{Deal, SaleState, UnixMillis};
use worker::{Env, Request, Response, Result};

use crate::error::EdgeResult;
use crate::{bindings, catalog};

/// The page: header, hero, one card per scheduled deal, footer.
pub async fn serve(req: Request, env: &Env) -> EdgeResult<Response> {
    if !bindings::is_development(env) {
        return Err(festival_domain::Refusal::NotFound.into());
    }
    let stylesheet = stylesheet(&req, env).await?;
    let now = bindings::now();
    let deals = catalog::deals(env).await?;
    let mut cards = String::new();
    for deal in &deals {
        let left = catalog::stock_left(env, deal).await?;
        cards.push_str(&card(deal, left, now));
    }
    let open = deals.iter().any(|d| d.state_at(now) == SaleState::Open);
    let phase = if open {
        r#"<p class="hero-when on-sale" role="status"><span class="pulse" aria-hidden="true"></span>On sale now</p>"#
    } else {
        ""
    };
    let page = format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>11.11 Festival (static cards)</title>
{stylesheet}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<a href="/" class="brand"><span class="brand-mark" aria-hidden="true">11.11</span><span class="brand-name">Festival</span></a>
<nav class="site-nav"><a href="/orders" class="nav-link">My orders</a></nav>
</header>
<main id="main" class="page" tabindex="-1">
<section class="hero" aria-labelledby="festival-name">
<p class="hero-kicker">Singles' Day shopping festival</p>
<h1 id="festival-name" class="hero-title"><span class="hero-date">11.11</span> Festival</h1>
<p class="hero-tagline">Flash deals at huge discounts, while stock lasts.</p>
{phase}
</section>
<section class="deals" aria-labelledby="deals-heading">
<h2 id="deals-heading" class="deals-heading">Flash deals</h2>
<ul class="deal-grid">
{cards}</ul>
</section>
</main>
<footer class="site-footer"><p>Prices and stock are live. Times follow the shop's clock, not your device's.</p></footer>
</body>
</html>
"##
    );
    let mut response = Response::from_html(page)?;
    response.headers_mut().set("cache-control", "no-store")?;
    Ok(response)
}

/// The storefront's `<link rel="stylesheet" …>` tag (its file name carries Trunk's hash), taken
/// from `index.html` in the assets; empty if there is none.
async fn stylesheet(req: &Request, env: &Env) -> Result<String> {
    let index = req.url()?.join("/")?;
    let html = env
        .assets("ASSETS")?
        .fetch(index.to_string(), None)
        .await?
        .text()
        .await?;
    Ok(html
        .find(r#"<link rel="stylesheet""#)
        .and_then(|start| {
            let end = start + html[start..].find('>')?;
            Some(html[start..=end].to_owned())
        })
        .unwrap_or_default())
}

/// One card, as `DealCard` renders it in English.
fn card(deal: &Deal, left: u32, now: UnixMillis) -> String {
    let (id, name) = (escape(deal.id.as_str()), escape(&deal.name));
    let picture = if deal.image_url.is_empty() {
        let initial = deal.name.chars().next().unwrap_or('★').to_string();
        format!(
            r#"<div class="deal-image deal-placeholder" aria-hidden="true"><span class="placeholder-mark">{}</span></div>"#,
            escape(&initial)
        )
    } else {
        format!(
            r#"<img class="deal-image" src="{}" alt="{name}" loading="lazy" />"#,
            escape(&deal.image_url)
        )
    };
    let state = Availability::of(deal, left, now);
    let words = match state {
        Availability::Upcoming { .. } => "Coming soon",
        Availability::OnSale => "On sale",
        Availability::AlmostGone => "Almost gone",
        Availability::SoldOut => "Sold out",
        Availability::Ended => "Sale ended",
    };
    let code = state.code();
    let label = if state.can_buy() { "Buy now" } else { words };
    let low = if state.is_low() { " low" } else { "" };
    let percent = stock_percent(left, deal.stock);
    format!(
        r#"<li class="deal-card" data-testid="deal-card" data-deal-id="{id}">
{picture}
<p class="deal-state" data-testid="deal-state" data-state="{code}"><span class="state-badge">{words}</span></p>
<p class="deal-discount" data-testid="deal-discount">{off}% off</p>
<h3 class="deal-name" data-testid="deal-name"><a href="/deals/{id}">{name}</a></h3>
<p class="deal-prices"><span class="visually-hidden">Now </span><span class="deal-price" data-testid="deal-price">{price}</span> <span class="visually-hidden">was </span><s class="deal-was-price" data-testid="deal-was-price">{was}</s></p>
<div class="deal-stock-row"><p class="deal-stock" data-testid="deal-stock">{left} of {stock} left</p><div class="stock-bar{low}" aria-hidden="true"><span class="stock-fill" style="width: {percent}%;"></span></div></div>
<p class="deal-limit">Limit {limit} per shopper</p>
<button type="button" class="buy-button" data-testid="buy-button" aria-label="{label}: {name}"{disabled}>{label}</button>
</li>
"#,
        off = discount_percent(deal.price_minor, deal.was_price_minor),
        price = escape(&money(deal.price_minor, &deal.currency)),
        was = escape(&money(deal.was_price_minor, &deal.currency)),
        stock = deal.stock,
        limit = deal.per_customer_limit,
        disabled = if state.can_buy() { "" } else { " disabled" },
    )
}

/// An amount as en-US `Intl.NumberFormat` writes the common currencies (`$11.00`), else plain.
fn money(minor: i64, currency: &str) -> String {
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" => "¥",
        "KRW" => "₩",
        "CNY" => "CN¥",
        _ => return format_plain(minor, currency),
    };
    let plain = format_plain(minor, currency);
    let amount = plain.strip_prefix(currency).unwrap_or(&plain).trim_start();
    match amount.strip_prefix('-') {
        Some(positive) => format!("-{symbol}{positive}"),
        None => format!("{symbol}{amount}"),
    }
}

/// Text for HTML content and quoted attribute values.
fn escape(text: &str) -> String {
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
