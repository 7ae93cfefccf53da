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
    let lang = RwSignal::new(Lang::initial());
    provide_context(lang);
    Effect::new(move |_| lang.get().adopt());
    let location = router::start();
    Shop::start();
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

    view! {
        <a class="skip-link" href="#main">{text(Text::SkipToContent)}</a>
        <header class="site-header">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"11.11"</span>
                <span class="brand-name">{text(Text::BrandName)}</span>
            </a>
            <nav class="site-nav">
                <a href="/orders" class="nav-link" data-testid="my-orders-link" aria-current=on_my_orders>
                    {text(Text::MyOrders)}
                </a>
                <LanguageSwitch lang />
            </nav>
        </header>
        <main id="main" class="page" tabindex="-1">{content}</main>
        <footer class="site-footer">
            <p>{text(Text::Footer)}</p>
        </footer>
    }
}

/// The language switch: each language by its own name; the choice is remembered.
#[component]
fn LanguageSwitch(lang: RwSignal<Lang>) -> impl IntoView {
    let choose = move |ev| {
        if let Some(chosen) = Lang::from_tag(&event_target_value(&ev)) {
            lang.set(chosen);
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
