//! The console's languages — English, Korean and Simplified Chinese, the storefront's
//! ([`Lang`] is `festival_domain`'s) — and its words.
//!
//! Every word the console shows is written in English where it is shown, as the literal that
//! [`t`] is called with (or [`tf`], whose words take values in `{n}` and `{m}`): the English
//! words are the key, and English is the fallback. Korean and Chinese are language packs, `console/lang/{tag}.json`, keyed by those
//! English words and built into the console's Wasm (marketers are few; shoppers never download
//! it). The domain's rules speak English too: [`translated`] looks their words up in the same
//! packs. The choice is remembered in `localStorage` under its own key, apart from the shop's.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

pub use festival_domain::lang::Lang;
use festival_domain::words::fill;

/// `localStorage` key of the console's language.
const LANG_KEY: &str = "festival.console.lang";

/// Each pack with its language; each file is named by its language's tag.
pub const PACKS: [(Lang, &str); 2] = [
    (Lang::Ko, include_str!("../lang/ko.json")),
    (Lang::Zh, include_str!("../lang/zh-CN.json")),
];

/// A pack: words by their English words.
type Pack = HashMap<&'static str, &'static str>;

thread_local! {
    /// The console's language, once [`choose_from_browser`] made it.
    static CHOSEN: Cell<Option<RwSignal<Lang>>> = const { Cell::new(None) };
    /// Each pack, parsed when first read. A pack lives as long as the page, so its words are
    /// leaked on purpose and handed out as `&'static str`.
    static PARSED: Vec<(Lang, Pack)> = PACKS
        .iter()
        .map(|(lang, json)| (*lang, parse(json)))
        .collect();
}

/// `json` as a pack; an empty one if it does not parse (the tests make sure each does).
fn parse(json: &str) -> Pack {
    let words: HashMap<String, String> = serde_json::from_str(json).unwrap_or_default();
    let leak = |s: String| &*Box::leak(s.into_boxed_str());
    words.into_iter().map(|(k, v)| (leak(k), leak(v))).collect()
}

/// The words `english` are in `lang`: its pack's, else English.
pub fn tr(lang: Lang, english: &'static str) -> &'static str {
    lookup(lang, english).unwrap_or(english)
}

fn lookup(lang: Lang, english: &str) -> Option<&'static str> {
    if lang == Lang::En {
        return None;
    }
    PARSED.with(|packs| {
        let (_, pack) = packs.iter().find(|(l, _)| *l == lang)?;
        pack.get(english).copied()
    })
}

/// The console's language now; read in a view or a memo, it redraws them when it changes.
/// English until the console has started (and in native tests).
pub fn lang() -> Lang {
    CHOSEN.get().map_or(Lang::En, |chosen| chosen.get())
}

/// `english` in the console's language (see [`lang`]).
pub fn t(english: &'static str) -> &'static str {
    tr(lang(), english)
}

/// `english` in the console's language, its `{n}` and `{m}` filled with `values`.
pub fn tf(english: &'static str, values: &[&str]) -> String {
    fill(t(english), values)
}

/// Words from elsewhere — the domain's rules, origin's problems — in the console's language
/// where a pack has them, else as they came.
pub fn translated(english: &str) -> String {
    lookup(lang(), english).map_or_else(|| english.to_owned(), str::to_owned)
}

/// A message kept to show later (a refusal, an outcome): its words are made each time it is
/// shown, so they follow the language.
#[derive(Clone)]
pub struct Said(Arc<dyn Fn() -> String + Send + Sync>);

impl Said {
    /// The message `words` make.
    pub fn new(words: impl Fn() -> String + Send + Sync + 'static) -> Said {
        Said(Arc::new(words))
    }

    /// The message, in the console's language now.
    pub fn words(&self) -> String {
        (self.0)()
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The console's language signal: the remembered choice, else the browser's language, else
/// English. Made once, when the console starts; every change is remembered and set on
/// `<html lang>` and the page's title.
pub fn choose_from_browser() -> RwSignal<Lang> {
    let remembered = local_storage().and_then(|s| s.get_item(LANG_KEY).ok()?);
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    let chosen = RwSignal::new(Lang::first_known([
        remembered.as_deref(),
        browser.as_deref(),
    ]));
    CHOSEN.set(Some(chosen));
    Effect::new(move |_| show(chosen.get()));
    chosen
}

/// Remembers `lang` (ignored on failure, as in private mode: the choice holds for this visit)
/// and tells the document: screen readers pick their voice by `<html lang>`.
fn show(lang: Lang) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(LANG_KEY, lang.tag());
    }
    let document = document();
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("lang", lang.tag());
    }
    document.set_title(t("Festival console"));
}

/// The language switch in the top bar, shown signed out too: each language by its own name.
#[component]
pub fn LanguageSwitch(lang: RwSignal<Lang>) -> impl IntoView {
    let options = Lang::ALL.map(move |option| {
        let chosen = move || lang.get() == option;
        let (tag, name) = (option.tag(), option.native_name());
        view! { <option value=tag lang=tag prop:selected=chosen>{name}</option> }
    });
    let choose = move |ev| {
        if let Some(chosen) = Lang::from_tag(&event_target_value(&ev)) {
            lang.set(chosen);
        }
    };
    view! {
        <select class="bar-lang" data-testid="console-lang" aria-label=move || t("Language") on:change=choose>
            {options.into_iter().collect_view()}
        </select>
    }
}

#[cfg(test)]
mod tests;
