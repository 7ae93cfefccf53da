//! The storefront's languages — English, Korean and Simplified Chinese — and their words.
//!
//! What the shop says is listed once, with its English words, in `festival_domain::words`
//! (the edge's first paint reads the same); Korean and Chinese
//! are language packs loaded for the shoppers who read them ([`packs`]); prices and dates go
//! through the browser's `Intl` ([`format`]). The chosen language is remembered in
//! `localStorage`.

mod format;
mod packs;

use festival_domain::RefusalCode;
use leptos::prelude::*;

pub use festival_domain::lang::Lang;
pub use festival_domain::words::{Text, fill};
pub use format::{date_time, money};
pub use packs::load as load_words;

/// `localStorage` key of the chosen language.
const LANG_KEY: &str = "festival.lang";

/// The remembered choice, else the browser's language, else English.
pub fn initial_lang() -> Lang {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten());
    let browser = window.and_then(|w| w.navigator().language());
    Lang::first_known([stored.as_deref(), browser.as_deref()])
}

/// Remembers the choice (for this app, and in a cookie for the edge) and tells the document
/// (screen readers pick their voice by it).
pub fn adopt(lang: Lang) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(Some(storage)) = window.local_storage() {
        // Ignored on failure (private mode): the choice still holds for this visit.
        let _ = storage.set_item(LANG_KEY, lang.tag());
    }
    let Some(document) = window.document() else {
        return;
    };
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("lang", lang.tag());
    }
    // The edge paints the storefront's first page in English only for shoppers who read
    // it (`edge/src/first_paint`): it learns the choice from this cookie.
    let cookie = format!(
        "{LANG_KEY}={}; path=/; max-age=31536000; samesite=lax",
        lang.tag()
    );
    let _ = js_sys::Reflect::set(&document, &"cookie".into(), &cookie.into());
}

/// The language chosen now, from the context `App` provides.
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// The words for `text` in `lang`: its language pack's, once loaded ([`load_words`]), else
/// English.
pub fn tr(text: Text, lang: Lang) -> &'static str {
    match lang {
        Lang::En => text.english(),
        _ => packs::word(lang, text).unwrap_or(text.english()),
    }
}

/// `text` in `lang`, with values filled in (see [`fill`]).
pub fn trf(text: Text, lang: Lang, values: &[&str]) -> String {
    fill(tr(text, lang), values)
}

/// The words for a refusal from the edge. `message` is the edge's own (English) sentence, used
/// in English for a refusal the shop has no words of its own for (a code it does not know, or
/// one only a client other than the storefront would cause).
pub fn refusal_words(
    code: Option<RefusalCode>,
    message: &str,
    retry_after_s: Option<u32>,
    lang: Lang,
) -> String {
    use RefusalCode as C;
    use Text::*;
    let text = match code {
        Some(C::SoldOut) => SoldOutWords,
        Some(C::LimitReached) => LimitReachedWords,
        Some(C::OverLimit) => OverLimitWords,
        Some(C::SaleNotOpen) => SaleNotOpenWords,
        Some(C::SaleEnded) => SaleEndedWords,
        Some(C::SalePaused) => SalePausedWords,
        Some(C::UnknownDeal) => UnknownDealWords,
        Some(C::UnknownOrder) => UnknownOrderWords,
        Some(C::NotYourOrder) => NotYourOrderWords,
        Some(C::InvalidQuantity) => InvalidQuantityWords,
        Some(C::SessionRequired | C::SessionInvalid | C::SessionExpired) => SessionWords,
        Some(C::SaleTokenInvalid) => SaleTokenWords,
        Some(C::NotAdmitted) => NotAdmittedWords,
        Some(C::RateLimited) => {
            let wait = retry_after_s.unwrap_or(1).max(1).to_string();
            return trf(RateLimitedWords, lang, &[&wait]);
        }
        Some(
            C::MalformedJson
            | C::MissingField
            | C::UnknownField
            | C::WrongType
            | C::BodyTooLarge
            | C::InvalidIdempotencyKey
            | C::IdempotencyKeyReused
            | C::TicketInvalid
            | C::TicketExpired
            | C::NotFound
            | C::MethodNotAllowed,
        )
        | None => match lang == Lang::En && !message.trim().is_empty() {
            true => return message.to_owned(),
            false => GenericRefusal,
        },
    };
    tr(text, lang).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_every_pack() {
        packs::tests::install_every_pack();
    }

    #[test]
    fn values_fill_their_slots() {
        with_every_pack();
        assert_eq!(trf(Text::StockLeft, Lang::En, &["3", "10"]), "3 of 10 left");
        assert_eq!(
            trf(Text::StockLeft, Lang::Ko, &["3", "10"]),
            "10개 중 3개 남음"
        );
    }

    #[test]
    fn refusals_speak_every_language() {
        with_every_pack();
        for lang in Lang::ALL {
            let sold_out = Some(RefusalCode::SoldOut);
            assert_ne!(refusal_words(sold_out, "", None, lang), "");
            let rate_limited = Some(RefusalCode::RateLimited);
            assert!(refusal_words(rate_limited, "", Some(7), lang).contains('7'));
        }
        assert_eq!(
            refusal_words(None, "The edge says.", None, Lang::En),
            "The edge says."
        );
        assert_eq!(
            refusal_words(None, "The edge says.", None, Lang::Ko),
            tr(Text::GenericRefusal, Lang::Ko)
        );
    }
}
