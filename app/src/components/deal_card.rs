//! One deal in the grid: picture, state, price against the regular one, live stock, and Buy
//! (one unit; the deal page offers a quantity).
//!
//! The card lives as long as its deal is in the catalog (keyed by deal id), so catalog refreshes
//! update its text in place and an unfinished purchase (its idempotency key) survives them.

use festival_domain::CatalogDeal;
use leptos::prelude::*;

use crate::components::deal_parts::{
    DealPicture, DealStateLine, Discount, Prices, StockMeter, deal_state,
};
use crate::components::purchase::{Purchase, PurchaseNotes, Step};
use crate::deal_state::state_words;
use crate::i18n::{Text, tr, trf, use_lang};
use crate::shop::use_shop;

/// A deal card. `initial` is the deal as first seen; later readings come from the shop.
#[component]
pub fn DealCard(initial: CatalogDeal) -> impl IntoView {
    let (shop, lang) = (use_shop(), use_lang());
    let id = initial.deal.id.clone();
    let href = format!("/deals/{id}");
    let entry = shop.follow(initial);
    let state = deal_state(entry, shop.clock);
    let purchase = Purchase::of(&id);

    let label = move || {
        let lang = lang.get();
        match (state.get(), purchase.step.get()) {
            (_, step) if step.is_busy() => tr(Text::Buying, lang),
            (state, _) if !state.can_buy() => state_words(state, lang),
            (_, Step::Unanswered) => tr(Text::TryAgain, lang),
            _ => tr(Text::BuyNow, lang),
        }
    };
    let name = move || entry.with(|e| e.deal.name.clone());
    let limit = move || {
        let limit = entry.with(|e| e.deal.per_customer_limit.to_string());
        trf(Text::LimitPerShopper, lang.get(), &[&limit])
    };
    let disabled = move || purchase.step.get().is_busy() || !state.get().can_buy();
    let buy = {
        let id = id.clone();
        move |_| purchase.buy(id.clone(), 1)
    };

    view! {
        <li class="deal-card" data-testid="deal-card" data-deal-id=id.to_string()>
            <DealPicture entry />
            <DealStateLine state clock=shop.clock />
            <Discount entry />
            <h3 class="deal-name" data-testid="deal-name">
                <a href=href>{name}</a>
            </h3>
            <Prices entry />
            <StockMeter entry state />
            <p class="deal-limit">{limit}</p>
            <button
                type="button"
                class="buy-button"
                data-testid="buy-button"
                aria-label=move || format!("{}: {}", label(), name())
                disabled=disabled
                on:click=buy
            >
                {label}
            </button>
            <PurchaseNotes purchase />
        </li>
    }
}
