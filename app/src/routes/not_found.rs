//! The page for any address the storefront does not know.

use leptos::prelude::*;

use crate::i18n::{Text, tr, use_lang};

/// Says so, and offers the way back.
#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    let text = move |text: Text| move || tr(text, lang.get());
    view! {
        <section class="panel">
            <h1>{text(Text::NothingHere)}</h1>
            <p>{text(Text::NothingHereBody)}</p>
            <a href="/" class="back-link">{text(Text::BackToFestival)}</a>
        </section>
    }
}
