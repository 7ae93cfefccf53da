//! The languages Festival speaks — English, Korean and Simplified Chinese — shared by the
//! storefront (`app/src/i18n.rs`) and the marketer console (`console/src/i18n.rs`), which each
//! keep their own words and remember the choice under their own key.

/// A language the storefront and the console speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
    pub const fn tag(self) -> &'static str {
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

    /// The first of `tags` (a remembered choice, then the browser's language) that names a
    /// language we speak; English when none does.
    pub fn first_known<'a>(tags: impl IntoIterator<Item = Option<&'a str>>) -> Lang {
        tags.into_iter()
            .flatten()
            .find_map(Lang::from_tag)
            .unwrap_or(Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_first_known_tag_wins() {
        assert_eq!(Lang::first_known([None, Some("ko-KR")]), Lang::Ko);
        assert_eq!(Lang::first_known([Some("fr"), Some("zh-TW")]), Lang::Zh);
        assert_eq!(Lang::first_known([Some("zh-CN"), Some("ko")]), Lang::Zh);
        assert_eq!(Lang::first_known([Some("fr"), None]), Lang::En);
    }
}
