//! A deal's words in the shop's other languages: a marketer may give the name and description
//! per language; a shopper reads their language's words where given, the default ones where
//! not. The edge picks the words (`Deal::in_language`), so the public catalog carries one
//! language and no shopper downloads the words of languages they do not read.
//!
//! The storefront never reads a deal's other words (the edge sends it one language), and its
//! Wasm carries a `Deal`'s clone, drop and comparison code: a `BTreeMap` there cost 1,120 bytes
//! gzip, a list 478, more than its budget had left (BENCHMARKS.md (e)). So the storefront
//! builds the domain without the `translations` feature, where [`Translations`] is nothing.

use serde::{Deserialize, Serialize};

#[cfg(feature = "translations")]
use super::{Deal, ScheduleProblem};
use crate::lang::Lang;

/// The languages a deal's words may be given in besides the default (English): the shop's
/// other languages, by their tags.
pub const LANGUAGES: [&str; 2] = [Lang::Ko.tag(), Lang::Zh.tag()];

/// Longest name, in any language.
pub const MAX_NAME_CHARS: usize = 120;

/// Longest description, in any language.
#[cfg(feature = "translations")]
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// A deal's name and description in one language; a blank one falls back to the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealWords {
    /// The language's tag, one of [`LANGUAGES`].
    pub lang: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// A deal's words in other languages, each language at most once.
#[cfg(feature = "translations")]
pub type Translations = Vec<DealWords>;

/// Without the `translations` feature (the storefront): no words in other languages, at no cost.
#[cfg(not(feature = "translations"))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translations;

#[cfg(not(feature = "translations"))]
impl Translations {
    /// Always: there are none.
    pub fn is_empty(&self) -> bool {
        true
    }
}

/// The language of [`LANGUAGES`] a tag asks for, ours or a browser's (`ko-KR`, `zh-Hans-CN`);
/// `None` for the default language or one the shop does not speak.
pub fn language_of(tag: &str) -> Option<&'static str> {
    Lang::from_tag(tag)
        .filter(|lang| *lang != Lang::En)
        .map(Lang::tag)
}

#[cfg(feature = "translations")]
impl Deal {
    /// The deal as a shopper reading `tag` sees it: that language's name and description where
    /// given (not blank), the default ones where not; the other languages' words left out.
    pub fn in_language(mut self, tag: &str) -> Deal {
        let found = language_of(tag)
            .and_then(|language| self.translations.iter().position(|w| w.lang == language));
        if let Some(words) = found.map(|at| self.translations.swap_remove(at)) {
            if !words.name.trim().is_empty() {
                self.name = words.name;
            }
            if !words.description.trim().is_empty() {
                self.description = words.description;
            }
        }
        self.translations.clear();
        self
    }

    /// What is wrong with the deal's words: a language the shop does not speak, or words too
    /// long for a card.
    pub(super) fn words_problems(&self) -> Vec<ScheduleProblem> {
        let mut problems = Vec::new();
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            problems.push(ScheduleProblem {
                field: "description",
                message: "Keep the description to 2,000 characters.",
            });
        }
        for (at, words) in self.translations.iter().enumerate() {
            let message = if !LANGUAGES.contains(&words.lang.as_str()) {
                "Give other words only in Korean (ko) or Simplified Chinese (zh-CN)."
            } else if self.translations[..at].iter().any(|w| w.lang == words.lang) {
                "Give each language's words once."
            } else if words.name.chars().count() > MAX_NAME_CHARS {
                "Keep each language's name to 120 characters."
            } else if words.description.chars().count() > MAX_DESCRIPTION_CHARS {
                "Keep each language's description to 2,000 characters."
            } else {
                continue;
            };
            problems.push(ScheduleProblem {
                field: "translations",
                message,
            });
        }
        problems
    }
}

#[cfg(all(test, feature = "translations"))]
mod tests {
    use super::*;
    use crate::deal::tests::sample_deal;

    fn words(lang: &str, name: &str, description: &str) -> DealWords {
        DealWords {
            lang: lang.into(),
            name: name.into(),
            description: description.into(),
        }
    }

    fn translated() -> Deal {
        let mut deal = Deal {
            description: "Hand-stitched silk.".into(),
            ..sample_deal()
        };
        deal.translations = vec![
            words("ko", "실크 등불", "손바느질한 실크."),
            words("zh-CN", "丝绸灯笼", ""),
        ];
        deal
    }

    #[test]
    fn a_browser_tag_finds_its_language() {
        assert_eq!(language_of("ko"), Some("ko"));
        assert_eq!(language_of("ko-KR"), Some("ko"));
        assert_eq!(language_of("zh-Hans-CN"), Some("zh-CN"));
        assert_eq!(language_of("ZH_cn"), Some("zh-CN"));
        for other in ["en", "en-GB", "", "k", "fr"] {
            assert_eq!(language_of(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_shopper_reads_their_language_and_the_default_where_none_is_given() {
        let korean = translated().in_language("ko-KR");
        assert_eq!(
            (korean.name.as_str(), korean.description.as_str()),
            ("실크 등불", "손바느질한 실크.")
        );
        let chinese = translated().in_language("zh-CN");
        assert_eq!(
            (chinese.name.as_str(), chinese.description.as_str()),
            ("丝绸灯笼", "Hand-stitched silk."),
            "a blank description falls back"
        );
        let english = translated().in_language("en");
        assert_eq!(english.name, "Silk lantern");
        for shown in [korean, chinese, english] {
            assert!(shown.translations.is_empty(), "one language on the wire");
        }
    }

    #[test]
    fn words_in_a_language_the_shop_does_not_speak_or_too_long_are_refused() {
        assert!(translated().words_problems().is_empty());
        let mut deal = translated();
        deal.translations.push(words("fr", "Lanterne", ""));
        deal.translations.push(words("ko", "등불", ""));
        deal.translations[0].name = "가".repeat(121);
        let messages: Vec<_> = deal.words_problems().iter().map(|p| p.message).collect();
        assert_eq!(
            messages,
            [
                "Keep each language's name to 120 characters.",
                "Give other words only in Korean (ko) or Simplified Chinese (zh-CN).",
                "Give each language's words once."
            ]
        );
        let long = Deal {
            description: "x".repeat(2_001),
            ..sample_deal()
        };
        assert_eq!(long.words_problems()[0].field, "description");
    }

    #[test]
    fn a_deal_without_other_words_reads_as_before() {
        let json = serde_json::to_value(sample_deal()).unwrap();
        assert!(json.get("translations").is_none(), "{json}");
        let back: Deal = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample_deal());
    }
}
