//! What every page shares: the catalog (refreshed every few seconds; the session's sale token is
//! kept fresh beside it) and the shop's clock.
//!
//! The catalog is kept in a signal rather than a resource under `<Suspense>`: a refresh must
//! update stock in place, without a fallback flash and without rebuilding cards (which would drop
//! a shopper's focus and an unfinished purchase).

use festival_domain::{CatalogDeal, DealId};
use leptos::prelude::*;

use crate::api::{self, CatalogReading};
use crate::clock::ServerClock;
use crate::poll::{Next, poll_every};
use crate::wire::{self, Festivals};

/// How often the catalog (and so the stock) is re-read.
const CATALOG_REFRESH_MS: u32 = 3_000;

/// The shop as every page sees it.
#[derive(Debug, Clone, Copy)]
pub struct Shop {
    /// The latest catalog's deals; `None` until the first answer.
    pub deals: RwSignal<Option<Vec<CatalogDeal>>>,
    /// The festival running now and the next, from the same catalog.
    pub festivals: RwSignal<Festivals>,
    /// The last refresh got no answer: the offline banner shows.
    pub unreachable: RwSignal<bool>,
    /// The server's clock.
    pub clock: ServerClock,
}

impl Shop {
    /// Keeps the catalog fresh for as long as the app runs, and the session and its sale token
    /// ready for a purchase.
    pub fn start() -> Shop {
        let painted = painted_catalog();
        let shop = Shop {
            deals: RwSignal::new(None),
            festivals: RwSignal::new(Festivals::default()),
            unreachable: RwSignal::new(false),
            clock: ServerClock::start(),
        };
        if let Some(reading) = painted {
            shop.clock.correct(reading.offset_ms);
            shop.deals.set(Some(reading.deals));
            // The painted hero, title and accent are the festival's: the first render keeps them.
            shop.festivals.set(reading.festivals);
        }
        provide_context(shop);
        poll_every(CATALOG_REFRESH_MS, move || async move {
            let next = shop.refresh().await;
            // After the deals are shown: a purchase then need not wait for the token. A failure
            // here is retried by the next refresh, or by the purchase itself.
            if next == Next::Again {
                let _ = api::sale_token(false).await;
            }
            next
        });
        shop
    }

    /// Reads the catalog (the deals' words in the shopper's language) and shows it; on no
    /// answer, keeps showing the last one under the offline banner and asks the loop to back
    /// off, so a struggling shop is not kept down by every open storefront.
    async fn refresh(self) -> Next {
        match api::fetch_catalog().await {
            Ok(reading) => {
                self.clock.correct(reading.offset_ms);
                self.deals.set(Some(reading.deals));
                // Compared first: an unchanged festival leaves the hero and title alone.
                if self.festivals.with_untracked(|f| f != &reading.festivals) {
                    self.festivals.set(reading.festivals);
                }
                self.unreachable.set(false);
                Next::Again
            }
            Err(error) => {
                self.unreachable.set(true);
                Next::Trouble(error.retry_after_s())
            }
        }
    }

    /// The deal `id` as the latest catalog has it (tracked).
    pub fn deal(&self, id: &DealId) -> Option<CatalogDeal> {
        self.deals
            .with(|deals| deals.as_ref()?.iter().find(|d| &d.deal.id == id).cloned())
    }

    /// The name of deal `id` as the catalog has it, or its id while it is not listed.
    pub fn deal_name(self, id: DealId) -> Signal<String> {
        Signal::derive(move || {
            self.deal(&id)
                .map_or_else(|| id.to_string(), |d| d.deal.name)
        })
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

/// The ids of the page's first paint and of the catalog it shows (the edge's `first_paint`).
const PAINTED_ID: &str = "first-paint";
const PAINTED_CATALOG_ID: &str = "first-catalog";

/// The catalog the edge painted into the page, if it did: the app's first render is then the
/// page the shopper already sees. Its clock is read as if no time had passed on the way.
fn painted_catalog() -> Option<CatalogReading> {
    let document = web_sys::window()?.document()?;
    let json = document
        .get_element_by_id(PAINTED_CATALOG_ID)?
        .text_content()?;
    let catalog = wire::catalog(&js_sys::JSON::parse(&json).ok()?)?;
    let now = js_sys::Date::now();
    Some(CatalogReading {
        deals: catalog.deals,
        festivals: catalog.festivals,
        offset_ms: festival_domain::catalog::clock_offset_ms(now, now, catalog.server_time),
    })
}

/// Starts the app: loads the words of the shopper's language first when it is not English, so
/// the page never shows in English and then changes, then runs `mount` (the app renders the
/// whole page beside the edge's picture of it, if the edge painted one) and removes the picture
/// in the same task, so the browser never paints the two, nor none. On a painted page the app
/// starts only once the browser has counted the picture's largest element as the page's largest
/// contentful paint (the loader in `Trunk.toml` waits for it): the app's copy of it, no larger,
/// is then not counted again; taken over sooner, the picture's paint was dropped and the largest
/// paint became the app's, after its Wasm. (A Korean or Chinese reader's painted page stays up
/// while the app fetches their words.)
pub fn start(mount: impl FnOnce() + 'static) {
    js_sys::futures::spawn_local(async move {
        crate::i18n::load_words(crate::i18n::initial_lang()).await;
        mount();
        let document = web_sys::window().and_then(|w| w.document());
        for id in [PAINTED_ID, PAINTED_CATALOG_ID] {
            if let Some(element) = document.as_ref().and_then(|d| d.get_element_by_id(id)) {
                element.remove();
            }
        }
    });
}

/// The shop, from the context `App` provides.
pub fn use_shop() -> Shop {
    expect_context::<Shop>()
}
