//! Language packs: the words of a language other than English, fetched once per page from
//! `/lang/{tag}.json` (a static file) when a shopper reads it. Keeping them out of the Wasm
//! saves every shopper the words of the languages they do not read: 3,859 bytes gzip for Korean
//! and Chinese, of which the loader takes back 994 (BENCHMARKS.md (e)); a reader of either
//! fetches about 2 KB more.

use std::cell::RefCell;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use super::Lang;
use festival_domain::words::{ENGLISH, Text};

thread_local! {
    /// The packs loaded on this page, each text's words in [`Text`]'s order.
    static LOADED: RefCell<Vec<(Lang, Vec<&'static str>)>> = const { RefCell::new(Vec::new()) };
}

/// `text` in `lang`, if its pack is loaded and says it.
pub fn word(lang: Lang, text: Text) -> Option<&'static str> {
    LOADED.with_borrow(|loaded| {
        let (_, words) = loaded.iter().find(|(loaded, _)| *loaded == lang)?;
        words.get(text as usize).copied()
    })
}

/// Loads `lang`'s pack unless it is English or already here. A pack that cannot be had leaves
/// the shop speaking English words (prices and dates still follow `lang`); the next choice of
/// the language tries again.
pub async fn load(lang: Lang) {
    let here = LOADED.with_borrow(|loaded| loaded.iter().any(|(l, _)| *l == lang));
    if lang == Lang::En || here {
        return;
    }
    let Some(pack) = crate::api::fetch_words(lang.tag()).await else {
        return;
    };
    let words = from_pack(|english| {
        Reflect::get(&pack, &JsValue::from_str(english))
            .ok()?
            .as_string()
    });
    install(lang, words);
}

/// Keeps `words` as `lang`'s pack for the rest of the page's life.
pub fn install(lang: Lang, words: Vec<&'static str>) {
    LOADED.with_borrow_mut(|loaded| loaded.push((lang, words)));
}

/// Every text's words from a pack, where `lookup` finds a translation by its English words;
/// English where the pack has none. The words are leaked on purpose: a pack lives as long as
/// the page, loaded at most once per language, and `tr` can then hand out `&'static str`.
pub fn from_pack(lookup: impl Fn(&str) -> Option<String>) -> Vec<&'static str> {
    ENGLISH
        .iter()
        .map(|english| match lookup(english) {
            Some(words) => &*Box::leak(words.into_boxed_str()),
            None => *english,
        })
        .collect()
}

#[cfg(test)]
pub mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// Each pack with its language; the file is named by the language's tag.
    pub const PACKS: [(Lang, &str); 2] = [
        (Lang::Ko, include_str!("../../lang/ko.json")),
        (Lang::Zh, include_str!("../../lang/zh-CN.json")),
    ];

    fn parsed(json: &str) -> BTreeMap<String, String> {
        serde_json::from_str(json).expect("a pack is a JSON object of strings")
    }

    /// Loads every pack as the browser would, for tests that read other languages.
    pub fn install_every_pack() {
        for (lang, json) in PACKS {
            if word(lang, Text::BrandName).is_none() {
                let pack = parsed(json);
                install(lang, from_pack(|english| pack.get(english).cloned()));
            }
        }
    }

    /// The `{n}` and `{m}` slots in `words`.
    fn slots(words: &str) -> BTreeSet<&'static str> {
        ["{n}", "{m}"]
            .into_iter()
            .filter(|slot| words.contains(slot))
            .collect()
    }

    #[test]
    fn every_pack_says_every_text_with_its_slots_and_nothing_else() {
        let english: BTreeSet<&str> = ENGLISH.iter().copied().collect();
        assert_eq!(english.len(), ENGLISH.len(), "English words key the packs");
        for (lang, json) in PACKS {
            let pack = parsed(json);
            let keys: BTreeSet<&str> = pack.keys().map(String::as_str).collect();
            assert_eq!(keys, english, "{lang:?}");
            for (english, words) in &pack {
                assert!(!words.trim().is_empty(), "{lang:?}: {english}");
                assert_eq!(slots(words), slots(english), "{lang:?}: {words}");
            }
        }
    }

    #[test]
    fn a_text_a_pack_lacks_stays_english() {
        let words = from_pack(|english| (english == "Festival").then(|| "Fest".to_owned()));
        assert_eq!(words[Text::BrandName as usize], "Fest");
        assert_eq!(words[Text::BuyNow as usize], Text::BuyNow.english());
    }
}
