//! `/`: the festival page. A hero with the countdown, then the deal cards with live stock.
//!
//! The catalog is kept in a signal refreshed every few seconds rather than in a resource under
//! `<Suspense>`: a refresh must update stock in place, without a fallback flash and without
//! rebuilding cards (which would drop a shopper's focus and an unfinished purchase).

use festival_domain::{Catalog, CatalogDeal};
use leptos::prelude::*;

use crate::api;
use crate::clock::ServerClock;
use crate::components::deal_card::DealCard;
use crate::components::hero::{FestivalPhase, Hero};
use crate::poll::poll_every;

/// How often the catalog (and so the stock) is re-read.
const CATALOG_REFRESH_MS: u32 = 3_000;

/// The festival page.
#[component]
pub fn FestivalPage() -> impl IntoView {
    let catalog = RwSignal::new(None::<Catalog>);
    let unreachable = RwSignal::new(false);
    let clock = ServerClock::start();

    poll_every(CATALOG_REFRESH_MS, move || async move {
        match api::fetch_catalog().await {
            Ok(reading) => {
                clock.correct(reading.offset_ms);
                catalog.set(Some(reading.catalog));
                unreachable.set(false);
            }
            // Keep showing the last catalog; say so only if there is none.
            Err(_) => unreachable.set(true),
        }
        true
    });

    let phase = Memo::new(move |_| {
        let now = clock.now();
        catalog.with(|c| FestivalPhase::of(c.as_ref(), now))
    });
    let deals = move || catalog.with(|c| c.as_ref().map(|c| c.deals.clone()).unwrap_or_default());
    let status = move || {
        let loaded = catalog.with(Option::is_some);
        if !loaded && unreachable.get() {
            Some("We can't reach the shop right now. Retrying…")
        } else if !loaded {
            Some("Loading deals…")
        } else if catalog.with(|c| c.as_ref().is_some_and(|c| c.deals.is_empty())) {
            Some("No deals are scheduled yet. Come back soon!")
        } else {
            None
        }
    };

    view! {
        <Hero phase clock />
        <section class="deals" aria-labelledby="deals-heading">
            <h2 id="deals-heading" class="deals-heading">"Flash deals"</h2>
            {move || status().map(|words| view! { <p class="deals-status" role="status">{words}</p> })}
            <ul class="deal-grid">
                <For
                    each=deals
                    key=|entry: &CatalogDeal| entry.deal.id.clone()
                    children=move |entry| view! { <DealCard initial=entry catalog=catalog.read_only() clock /> }
                />
            </ul>
        </section>
    }
}
