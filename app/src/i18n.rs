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

pub use festival_domain::words::{Text, fill};
pub use format::{date_time, money};
pub use packs::load as load_words;

/// `localStorage` key of the chosen language.
const LANG_KEY: &str = "festival.lang";

/// A language the storefront speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Korean.
    Ko,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ko, Lang::Zh];

    /// The BCP 47 tag, for `<html lang>`, `Intl` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
            Lang::Zh => "简体中文",
        }
    }

    /// Reads a tag, ours or a browser's (`ko-KR`, `zh-Hans-CN`, `en-GB`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.to_ascii_lowercase();
        if tag.starts_with("ko") {
            Some(Lang::Ko)
        } else if tag.starts_with("zh") {
            Some(Lang::Zh)
        } else if tag.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The remembered choice, else the browser's language, else English.
    pub fn initial() -> Lang {
        let window = web_sys::window();
        let stored = window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(LANG_KEY).ok().flatten());
        stored
            .or_else(|| window.and_then(|w| w.navigator().language()))
            .and_then(|tag| Lang::from_tag(&tag))
            .unwrap_or(Lang::En)
    }

    /// Remembers the choice (for this app, and in a cookie for the edge) and tells the document
    /// (screen readers pick their voice by it).
    pub fn adopt(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Ok(Some(storage)) = window.local_storage() {
            // Ignored on failure (private mode): the choice still holds for this visit.
            let _ = storage.set_item(LANG_KEY, self.tag());
        }
        let Some(document) = window.document() else {
            return;
        };
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", self.tag());
        }
        // The edge paints the storefront's first page in English only for shoppers who read
        // it (`edge/src/first_paint`): it learns the choice from this cookie.
        let cookie = format!(
            "{LANG_KEY}={}; path=/; max-age=31536000; samesite=lax",
            self.tag()
        );
        let _ = js_sys::Reflect::set(&document, &"cookie".into(), &cookie.into());
    }
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
    fn tags_read_browser_languages() {
        assert_eq!(Lang::from_tag("ko-KR"), Some(Lang::Ko));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
        }
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
