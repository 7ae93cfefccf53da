//! What every page shares: the catalog (refreshed every few seconds; the session's sale token is
//! kept fresh beside it) and the shop's clock.
//!
//! The catalog is kept in a signal rather than a resource under `<Suspense>`: a refresh must
//! update stock in place, without a fallback flash and without rebuilding cards (which would drop
//! a shopper's focus and an unfinished purchase).

use festival_domain::{CatalogDeal, DealId};
use leptos::prelude::*;

use crate::api;
use crate::clock::ServerClock;
use crate::poll::poll_every;

/// How often the catalog (and so the stock) is re-read.
const CATALOG_REFRESH_MS: u32 = 3_000;

/// The shop as every page sees it.
#[derive(Debug, Clone, Copy)]
pub struct Shop {
    /// The latest catalog's deals; `None` until the first answer.
    pub deals: RwSignal<Option<Vec<CatalogDeal>>>,
    /// The last refresh got no answer.
    pub unreachable: RwSignal<bool>,
    /// The server's clock.
    pub clock: ServerClock,
}

impl Shop {
    /// Keeps the catalog fresh for as long as the app runs, and the session and its sale token
    /// ready for a purchase.
    pub fn start() -> Shop {
        let shop = Shop {
            deals: RwSignal::new(None),
            unreachable: RwSignal::new(false),
            clock: ServerClock::start(),
        };
        provide_context(shop);
        poll_every(CATALOG_REFRESH_MS, move || async move {
            match api::fetch_catalog().await {
                Ok(reading) => {
                    shop.clock.correct(reading.offset_ms);
                    shop.deals.set(Some(reading.deals));
                    shop.unreachable.set(false);
                }
                // Keep showing the last catalog; pages say so only if there is none.
                Err(_) => shop.unreachable.set(true),
            }
            // After the deals are shown: a purchase then need not wait for the token. A failure
            // here is retried by the next refresh, or by the purchase itself.
            let _ = api::sale_token(false).await;
            true
        });
        shop
    }

    /// The deal `id` as the latest catalog has it (tracked).
    pub fn deal(&self, id: &DealId) -> Option<CatalogDeal> {
        self.deals
            .with(|deals| deals.as_ref()?.iter().find(|d| &d.deal.id == id).cloned())
    }

    /// A deal kept up to date with each refresh; it keeps its last reading if the deal leaves
    /// the catalog, so a page showing it never goes blank.
    pub fn follow(self, initial: CatalogDeal) -> Memo<CatalogDeal> {
        let id = initial.deal.id.clone();
        Memo::new(move |previous: Option<&CatalogDeal>| {
            self.deal(&id)
                .or_else(|| previous.cloned())
                .unwrap_or_else(|| initial.clone())
        })
    }
}

/// The shop, from the context `App` provides.
pub fn use_shop() -> Shop {
    expect_context::<Shop>()
}
