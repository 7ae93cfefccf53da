//! Festival's storefront: a Leptos client-side app that Trunk builds into `app/dist`, served as
//! static assets by the edge Worker.
//!
//! Map: [`api`] makes every HTTP call and [`wire`] reads the answers; [`router`] names the pages
//! and [`routes`] holds one module per page; [`components`] the widgets a page is built from;
//! [`shop`] the catalog and clock every page shares; [`i18n`] every word in three languages and
//! the price and date formats; [`clock`], [`deal_state`], [`shopper`] and [`poll`] are small
//! helpers. Rules (prices, discounts, sale windows) come from `festival_domain` and are never
//! restated here.

pub mod api;
pub mod clock;
pub mod components;
pub mod deal_state;
pub mod i18n;
pub mod poll;
pub mod retry;
pub mod router;
pub mod routes;
pub mod shop;
pub mod shopper;
pub mod wire;

use leptos::prelude::*;

use crate::i18n::{Lang, Text, tr};
use crate::router::Page;
use crate::routes::deal::DealPage;
use crate::routes::festival::FestivalPage;
use crate::routes::my_orders::MyOrdersPage;
use crate::routes::not_found::NotFound;
use crate::routes::order::OrderPage;
use crate::shop::Shop;

/// The whole app: a header, the page the address names, a footer. Routing lives here, in one
/// place.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(i18n::initial_lang());
    provide_context(lang);
    Effect::new(move |_| i18n::adopt(lang.get()));
    let location = router::start();
    let shop = Shop::start();
    let page = Memo::new(move |_| Page::of(&location.path()));
    let text = move |text: Text| move || tr(text, lang.get());

    let content = move || match page.get() {
        Page::Festival => view! { <FestivalPage /> }.into_any(),
        Page::Deal(id) => view! { <DealPage id /> }.into_any(),
        Page::MyOrders => view! { <MyOrdersPage /> }.into_any(),
        Page::Order(id) => view! { <OrderPage id /> }.into_any(),
        Page::NotFound => view! { <NotFound /> }.into_any(),
    };
    let on_my_orders = move || (page.get() == Page::MyOrders).then_some("page");
    let festival_name = move || shop.festivals.with(|f| f.shown().map(|f| f.name.clone()));
    // The tab says which festival ("11.11 Festival", "Black Friday Festival"), and the page
    // takes its accent: `--accent` on <html>, set here with the title rather than as a reactive
    // attribute, which costs the shopper's Wasm more (BENCHMARKS.md (e)).
    Effect::new(move |_| {
        let brand = tr(Text::BrandName, lang.get());
        let title = festival_name().map_or_else(|| brand.into(), |name| format!("{name} {brand}"));
        let document = document();
        document.set_title(&title);
        let accent = shop
            .festivals
            .with(|f| f.shown().map(|f| format!("--accent:{}", f.accent)));
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("style", &accent.unwrap_or_default());
        }
    });

    view! {
        <a class="skip-link" href="#main">{text(Text::SkipToContent)}</a>
        <header class="site-header">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">{festival_name}</span>
                <span class="brand-name">{text(Text::BrandName)}</span>
            </a>
            <nav class="site-nav">
                <a href="/orders" class="nav-link" data-testid="my-orders-link" aria-current=on_my_orders>
                    {text(Text::MyOrders)}
                </a>
                <LanguageSwitch lang />
            </nav>
        </header>
        // Above every page while the catalog cannot be reached: the prices below are the last
        // ones read. A live region, so a screen reader hears it come and go.
        <div class="offline-slot" role="status">
            {move || shop.unreachable.get().then(|| view! {
                <p class="offline-banner" data-testid="offline-banner">{text(Text::Unreachable)}</p>
            })}
        </div>
        <main id="main" class="page" tabindex="-1">{content}</main>
        <footer class="site-footer">
            <p>{text(Text::Footer)}</p>
        </footer>
    }
}

thread_local! {
    /// The language the shopper chose last: a pack that arrives after a later choice is not
    /// applied over it.
    static LATEST_CHOICE: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// The language switch: each language by its own name; the choice is remembered.
#[component]
fn LanguageSwitch(lang: RwSignal<Lang>) -> impl IntoView {
    let choose = move |ev| {
        if let Some(chosen) = Lang::from_tag(&event_target_value(&ev)) {
            LATEST_CHOICE.set(Some(chosen));
            // The page changes language once its words are here, all at once, unless the
            // shopper chose another meanwhile.
            js_sys::futures::spawn_local(async move {
                crate::i18n::load_words(chosen).await;
                if LATEST_CHOICE.get() == Some(chosen) {
                    lang.set(chosen);
                }
            });
        }
    };
    view! {
        <select
            class="language"
            data-testid="language"
            aria-label=move || tr(Text::Language, lang.get())
            on:change=choose
        >
            {Lang::ALL
                .map(|option| {
                    view! {
                        <option value=option.tag() lang=option.tag() prop:selected=move || lang.get() == option>
                            {option.native_name()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}
