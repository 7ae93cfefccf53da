//! The parts of a deal that the card and the deal page both show: picture, state with its
//! countdown, prices, and the live stock bar.

use festival_domain::CatalogDeal;
use festival_domain::money::discount_percent;
use festival_domain::time::format_countdown;
use leptos::prelude::*;

use crate::clock::ServerClock;
use crate::deal_state::{DealState, state_words, stock_percent};
use crate::i18n::{Text, money, tr, trf, use_lang};

/// The state of `entry`, re-read on every tick of the shop's clock.
pub fn deal_state(entry: Memo<CatalogDeal>, clock: ServerClock) -> Memo<DealState> {
    Memo::new(move |_| {
        let now = clock.now();
        entry.with(|e| DealState::listed(e, now))
    })
}

/// The product picture with the product's name as its alt text, or, without a picture (or if
/// it fails to load), a drawn placeholder. Nothing is fetched from elsewhere.
#[component]
pub fn DealPicture(entry: Memo<CatalogDeal>) -> impl IntoView {
    let picture =
        Memo::new(move |_| entry.with(|e| (e.deal.image_url.clone(), e.deal.name.clone())));
    let failed = RwSignal::new(false);
    move || {
        let (url, name) = picture.get();
        if url.is_empty() || failed.get() {
            let initial = name.chars().next().unwrap_or('★').to_string();
            view! {
                <div class="deal-image deal-placeholder" aria-hidden="true">
                    <span class="placeholder-mark">{initial}</span>
                </div>
            }
            .into_any()
        } else {
            view! {
                <img class="deal-image" src=url alt=name loading="lazy" on:error=move |_| failed.set(true) />
            }
            .into_any()
        }
    }
}

/// The deal's state in words (`data-state` for tests and styles) and, before it opens, its own
/// countdown on the shop's clock.
#[component]
pub fn DealStateLine(state: Memo<DealState>, clock: ServerClock) -> impl IntoView {
    let lang = use_lang();
    // Changes once a second although the clock ticks faster: the memo keeps the DOM still.
    let countdown = Memo::new(move |_| match state.get() {
        DealState::Upcoming { starts_at } => Some(format_countdown(
            clock.now().millis_until(starts_at),
            tr(Text::DaysShort, lang.get()),
        )),
        _ => None,
    });
    view! {
        <p class="deal-state" data-testid="deal-state" data-state=move || state.get().code()>
            <span class="state-badge">{move || state_words(state.get(), lang.get())}</span>
            {move || {
                countdown
                    .get()
                    .map(|left| view! {
                        <span class="deal-countdown" data-testid="deal-countdown" role="timer">
                            {move || trf(Text::OpensIn, lang.get(), &[&left])}
                        </span>
                    })
            }}
        </p>
    }
}

/// The discount chip.
#[component]
pub fn Discount(entry: Memo<CatalogDeal>) -> impl IntoView {
    let lang = use_lang();
    let words = move || {
        let off = entry.with(|e| discount_percent(e.deal.price_minor, e.deal.was_price_minor));
        trf(Text::PercentOff, lang.get(), &[&off.to_string()])
    };
    view! { <p class="deal-discount" data-testid="deal-discount">{words}</p> }
}

/// Sale price against the regular one, in the shopper's language and the deal's currency.
#[component]
pub fn Prices(entry: Memo<CatalogDeal>) -> impl IntoView {
    let lang = use_lang();
    let price = move |pick: fn(&CatalogDeal) -> i64| {
        move || entry.with(|e| money(pick(e), &e.deal.currency, lang.get()))
    };
    view! {
        <p class="deal-prices">
            <span class="visually-hidden">{move || tr(Text::Now, lang.get())}</span>
            <span class="deal-price" data-testid="deal-price">{price(|e| e.deal.price_minor)}</span>
            " "
            <span class="visually-hidden">{move || tr(Text::Was, lang.get())}</span>
            <s class="deal-was-price" data-testid="deal-was-price">{price(|e| e.deal.was_price_minor)}</s>
        </p>
    }
}

/// Units left, in words and as a bar that follows each catalog refresh.
#[component]
pub fn StockMeter(entry: Memo<CatalogDeal>, state: Memo<DealState>) -> impl IntoView {
    let lang = use_lang();
    let percent = move || entry.with(|e| stock_percent(e.stock_left, e.deal.stock));
    let words = move || {
        entry.with(|e| {
            let (left, stock) = (e.stock_left.to_string(), e.deal.stock.to_string());
            trf(Text::StockLeft, lang.get(), &[&left, &stock])
        })
    };
    let low = move || state.get().is_low();
    view! {
        <div class="deal-stock-row">
            <p class="deal-stock" data-testid="deal-stock">{words}</p>
            <div class="stock-bar" class=("low", low) aria-hidden="true">
                <span class="stock-fill" style:width=move || format!("{}%", percent())></span>
            </div>
        </div>
    }
}
