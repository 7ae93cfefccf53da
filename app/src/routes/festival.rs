//! `/`: the festival page. A hero with the countdown, then the deal cards with live stock.

use festival_domain::CatalogDeal;
use festival_domain::catalog::FestivalPhase;
use leptos::prelude::*;

use crate::components::deal_card::DealCard;
use crate::components::hero::Hero;
use crate::i18n::{Text, tr, use_lang};
use crate::shop::use_shop;

/// The festival page.
#[component]
pub fn FestivalPage() -> impl IntoView {
    let (shop, lang) = (use_shop(), use_lang());
    let phase = Memo::new(move |_| {
        let now = shop.clock.now();
        let deals = shop.deals;
        shop.festivals.with(|f| {
            let next = f.next_between().map(|next| next.starts_at);
            deals.with(|d| FestivalPhase::of(d.as_deref(), next, now))
        })
    });
    let deals = move || shop.deals.get().unwrap_or_default();
    let status = move || {
        let (loaded, empty) = shop
            .deals
            .with(|d| (d.is_some(), d.as_ref().is_some_and(Vec::is_empty)));
        // No answer at all is said once, by the offline banner above the page.
        let text = if !loaded {
            Text::LoadingDeals
        } else if empty {
            Text::NoDeals
        } else {
            return None;
        };
        Some(tr(text, lang.get()))
    };

    view! {
        <Hero phase clock=shop.clock />
        <section class="deals" aria-labelledby="deals-heading">
            <h2 id="deals-heading" class="deals-heading">{move || tr(Text::FlashDeals, lang.get())}</h2>
            {move || status().map(|words| view! { <p class="deals-status" role="status">{words}</p> })}
            <ul class="deal-grid">
                <For
                    each=deals
                    key=|entry: &CatalogDeal| entry.deal.id.clone()
                    children=move |entry| view! { <DealCard initial=entry /> }
                />
            </ul>
        </section>
    }
}
