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
    view! {
        <fieldset class="language-words" lang=tag>
            <legend>{language}</legend>
            {words_field(tag, Part::Name, words)}
            {words_field(tag, Part::Description, words)}
        </fieldset>
    }
}

/// Which of a language's words a field holds.
#[derive(Clone, Copy)]
enum Part {
    Name,
    Description,
}

impl Part {
    fn of(self, words: &mut DealWords) -> &mut String {
        match self {
            Part::Name => &mut words.name,
            Part::Description => &mut words.description,
        }
    }
}

/// A labelled field for `part` of the words in `tag`: one line for a name, two for a
/// description.
fn words_field(tag: &'static str, part: Part, words: RwSignal<Translations>) -> impl IntoView {
    let key = match part {
        Part::Name => "name",
        Part::Description => "description",
    };
    let label = move || match part {
        Part::Name => t("Product name"),
        Part::Description => t("Description"),
    };
    let id = format!("field-{key}-{tag}");
    let value = move || {
        words.with(|w| {
            w.iter()
                .find(|w| w.lang == tag)
                .cloned()
                .map(|mut w| part.of(&mut w).clone())
                .unwrap_or_default()
        })
    };
    let typed = move |ev| {
        let typed = event_target_value(&ev);
        words.update(|w| *part.of(words_in(w, tag)) = typed);
    };
    let control = match part {
        Part::Name => view! {
            <input id=id.clone() type="text" data-testid=id.clone() prop:value=value on:input=typed />
        }
        .into_any(),
        Part::Description => view! {
            <textarea id=id.clone() rows="2" data-testid=id.clone() prop:value=value on:input=typed></textarea>
        }
        .into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
        </div>
    }
}

/// The words in `tag` among `words`, added (blank) when there are none yet.
fn words_in<'a>(words: &'a mut Translations, tag: &str) -> &'a mut DealWords {
    let at = match words.iter().position(|w| w.lang == tag) {
        Some(at) => at,
        None => {
            words.push(DealWords {
                lang: tag.to_owned(),
                ..DealWords::default()
            });
            words.len() - 1
        }
    };
    &mut words[at]
}
