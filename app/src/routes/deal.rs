//! `/deals/:id`: one deal in full, with a quantity chooser bounded by what this shopper may still
//! buy (the per-customer limit less the units their orders hold) and by the stock left.

use festival_domain::{CatalogDeal, DealId, OrderStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::deal_parts::{
    DealPicture, DealStateLine, Discount, Prices, StockMeter, deal_state,
};
use crate::components::purchase::{Purchase, PurchaseNotes, Step};
use crate::deal_state::state_words;
use crate::i18n::{Text, date_time, money, tr, trf, use_lang};
use crate::shop::use_shop;

/// The most choices the quantity chooser lists.
const MAX_CHOICES: u32 = 99;

/// The deal page: the deal once the catalog has it, else why not.
#[component]
pub fn DealPage(id: DealId) -> impl IntoView {
    let (shop, lang) = (use_shop(), use_lang());
    // The first reading only: later ones flow into the details without rebuilding them.
    let first = Memo::new(move |previous: Option<&Option<CatalogDeal>>| {
        previous.cloned().flatten().or_else(|| shop.deal(&id))
    });
    move || match first.get() {
        Some(initial) => view! { <DealDetails initial /> }.into_any(),
        None => {
            let text = match shop.deals.with(Option::is_some) {
                true => Text::DealNotFound,
                false => Text::LoadingDeals,
            };
            view! {
                <section class="panel">
                    <a href="/" class="back-link">{move || tr(Text::BackToFestival, lang.get())}</a>
                    <p role="status">{move || tr(text, lang.get())}</p>
                </section>
            }
            .into_any()
        }
    }
}

/// The deal in full, updated in place by each catalog refresh.
#[component]
fn DealDetails(initial: CatalogDeal) -> impl IntoView {
    let (shop, lang) = (use_shop(), use_lang());
    let id = initial.deal.id.clone();
    let entry = shop.follow(initial);
    let state = deal_state(entry, shop.clock);
    let purchase = Purchase::of(&id);
    let text = move |text: Text| move || tr(text, lang.get());

    // Units this shopper's orders already hold; unknown counts as none (the edge decides).
    let held = RwSignal::new(0u32);
    {
        let id = id.clone();
        spawn_local(async move {
            if let Ok(orders) = api::fetch_my_orders().await {
                let units = orders
                    .iter()
                    .filter(|o| o.deal_id == id && o.status != OrderStatus::Cancelled)
                    .map(|o| o.quantity)
                    .sum();
                held.set(units);
            }
        });
    }
    let allowance = Memo::new(move |_| {
        let (limit, left) = entry.with(|e| (e.deal.per_customer_limit, e.stock_left));
        limit.saturating_sub(held.get()).min(left)
    });
    let quantity = RwSignal::new(1u32);
    let chosen = move || quantity.get().clamp(1, allowance.get().max(1));
    let total = move || {
        let q = i64::from(chosen());
        entry.with(|e| money(e.deal.price_minor * q, &e.deal.currency, lang.get()))
    };
    let limit_note = move || {
        let lang = lang.get();
        let limit = entry.with(|e| e.deal.per_customer_limit);
        let mut words = trf(Text::LimitPerShopper, lang, &[&limit.to_string()]);
        let held = held.get();
        if held >= limit {
            words = format!("{words} · {}", tr(Text::LimitReachedWords, lang));
        } else if held > 0 {
            let more = (limit - held).to_string();
            words = format!("{words} · {}", trf(Text::MayBuyMore, lang, &[&more]));
        }
        words
    };
    let choices = move || {
        (1..=allowance.get().clamp(1, MAX_CHOICES))
            .map(|n| view! { <option value=n prop:selected=move || chosen() == n>{n}</option> })
            .collect_view()
    };
    let can_buy = move || state.get().can_buy() && allowance.get() > 0;
    let label = move || {
        let lang = lang.get();
        match (state.get(), purchase.step.get()) {
            (_, step) if step.is_busy() => tr(Text::Buying, lang),
            (state, _) if !state.can_buy() => state_words(state, lang),
            _ if allowance.get() == 0 => tr(Text::LimitReachedWords, lang),
            (_, Step::Unanswered) => tr(Text::TryAgain, lang),
            _ => tr(Text::BuyNow, lang),
        }
    };
    let when = move |pick: fn(&CatalogDeal) -> festival_domain::UnixMillis| {
        // In the festival's time zone (the shopper's own beside it where it differs).
        move || {
            let zone = shop
                .festivals
                .with(|f| f.shown().map(|f| f.time_zone.clone()));
            date_time(entry.with(pick), lang.get(), zone.as_deref())
        }
    };
    let buy = {
        let id = id.clone();
        move |_| purchase.buy(id.clone(), chosen())
    };

    view! {
        <article class="deal-page" aria-labelledby="deal-heading">
            <a href="/" class="back-link">{text(Text::BackToFestival)}</a>
            <div class="deal-layout">
                <DealPicture entry />
                <div class="deal-info">
                    <DealStateLine state clock=shop.clock />
                    <Discount entry />
                    <h1 id="deal-heading" class="deal-title" data-testid="deal-name">
                        {move || entry.with(|e| e.deal.name.clone())}
                    </h1>
                    <p class="deal-description">{move || entry.with(|e| e.deal.description.clone())}</p>
                    <Prices entry />
                    <StockMeter entry state />
                    <dl class="deal-facts">
                        <dt>{text(Text::Starts)}</dt>
                        <dd>{when(|e| e.deal.starts_at)}</dd>
                        <dt>{text(Text::Ends)}</dt>
                        <dd>{when(|e| e.deal.ends_at)}</dd>
                    </dl>
                    <p class="deal-limit" data-testid="deal-limit">{limit_note}</p>
                    <div class="buy-row">
                        <label class="quantity-label" for="quantity">{text(Text::Quantity)}</label>
                        <select
                            id="quantity"
                            class="quantity"
                            data-testid="quantity"
                            disabled=move || !can_buy()
                            on:change=move |ev| {
                                if let Ok(n) = event_target_value(&ev).parse() {
                                    quantity.set(n);
                                    purchase.start_over(&id);
                                }
                            }
                        >
                            {choices}
                        </select>
                        <p class="deal-total">
                            {text(Text::Total)}
                            " "
                            <strong data-testid="deal-total">{total}</strong>
                        </p>
                    </div>
                    <button
                        type="button"
                        class="buy-button"
                        data-testid="buy-button"
                        disabled=move || purchase.step.get().is_busy() || !can_buy()
                        on:click=buy
                    >
                        {label}
                    </button>
                    <PurchaseNotes purchase />
                </div>
            </div>
        </article>
    }
}
