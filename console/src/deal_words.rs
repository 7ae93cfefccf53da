//! The deal form's "Other languages": the product's name and description in each language the
//! shop speaks besides English. Left blank, a shopper reading that language sees the English
//! words (`Deal::in_language`, applied by the edge).

use festival_domain::deal::{DealWords, LANGUAGES, Translations};
use festival_domain::lang::Lang;
use leptos::prelude::*;

use crate::i18n::t;

/// The words in every other language, opened at once when the deal has some; `error` is the
/// rules' message about them.
#[component]
pub(crate) fn OtherLanguages(
    words: RwSignal<Translations>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let given = move || words.with(|w| !w.is_empty()) || error.with(Option::is_some);
    view! {
        <details class="other-languages" data-testid="other-languages" prop:open=given>
            <summary>{move || t("Other languages")}</summary>
            <p class="small muted">{move || t("Leave blank to show the English words.")}</p>
            {LANGUAGES.map(|tag| view! { <LanguageWords tag words /> }).collect_view()}
            <p class="field-error" data-testid="field-error-translations" aria-live="polite">
                {move || error.get()}
            </p>
        </details>
    }
}

/// The name and description in the language `tag`.
#[component]
fn LanguageWords(tag: &'static str, words: RwSignal<Translations>) -> impl IntoView {
    let language = Lang::from_tag(tag).map_or(tag, Lang::native_name);
    let read = move |part: fn(&DealWords) -> &String| {
        move || words.with(|w| w.get(tag).map(|w| part(w).clone()).unwrap_or_default())
    };
    let write = move |part: fn(&mut DealWords) -> &mut String| {
        move |ev| {
            let typed = event_target_value(&ev);
            words.update(|w| *part(w.entry(tag.to_owned()).or_default()) = typed);
        }
    };
    let (name_id, description_id) = (
        format!("field-name-{tag}"),
        format!("field-description-{tag}"),
    );
    view! {
        <fieldset class="language-words" lang=tag>
            <legend>{language}</legend>
            <div class="field">
                <label for=name_id.clone()>{move || t("Product name")}</label>
                <input
                    id=name_id.clone()
                    type="text"
                    data-testid=name_id
                    prop:value=read(|w| &w.name)
                    on:input=write(|w| &mut w.name)
                />
            </div>
            <div class="field">
                <label for=description_id.clone()>{move || t("Description")}</label>
                <textarea
                    id=description_id.clone()
                    rows="2"
                    data-testid=description_id
                    prop:value=read(|w| &w.description)
                    on:input=write(|w| &mut w.description)
                ></textarea>
            </div>
        </fieldset>
    }
}
