//! Festival's storefront: a Leptos client-side app that Trunk builds into `app/dist`, served as
//! static assets by the edge Worker.
//!
//! Map: [`api`] makes every HTTP call; [`routes`] holds one module per page; [`components`] the
//! widgets a page is built from; [`clock`], [`shopper`], [`refusal`] and [`poll`] are the small
//! browser-side helpers they share. Rules (prices, discounts, sale windows, refusal codes) come
//! from `festival_domain` and are never restated here.

pub mod api;
pub mod clock;
pub mod components;
pub mod poll;
pub mod refusal;
pub mod routes;
pub mod shopper;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::routes::festival::FestivalPage;
use crate::routes::not_found::NotFound;
use crate::routes::order::OrderPage;

/// The whole app: a header and the routed page. Routing lives here, in one place.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"11.11"</span>
                    <span class="brand-name">"Festival"</span>
                </A>
            </header>
            <main id="main" class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=FestivalPage />
                    <Route path=path!("/orders/:id") view=OrderPage />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Prices and stock are live. Times follow the shop's clock, not your device's."</p>
            </footer>
        </Router>
    }
}
