//! The page for any address the router does not know.

use leptos::prelude::*;
use leptos_router::components::A;

/// Says so, and offers the way back.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel">
            <h1>"Nothing here"</h1>
            <p>"This page doesn't exist. The deals are on the festival page."</p>
            <A href="/" attr:class="back-link">"← Back to the festival"</A>
        </section>
    }
}
