//! The storefront's words in the shopper's language, for the first paint: English from the
//! domain's list (`festival_domain::words`), Korean and Chinese from the language packs the app
//! itself fetches (`/lang/{tag}.json`, static assets keyed by the English words), each read once
//! per isolate. So the painted page says what the app will say, word for word.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use festival_domain::lang::Lang;
use festival_domain::words::Text;
use worker::{Env, Request, Result};

use super::markup::escape;

/// A language pack: each text's words by its English words.
type Pack = HashMap<String, String>;

thread_local! {
    /// The packs this isolate has read; they change only with a deployment, which starts new
    /// isolates.
    static PACKS: RefCell<BTreeMap<Lang, Rc<Pack>>> = const { RefCell::new(BTreeMap::new()) };
}

/// The words of one language.
pub struct Words {
    lang: Lang,
    pack: Rc<Pack>,
}

impl Words {
    /// English: the domain's words, no pack.
    pub fn english() -> Words {
        Words {
            lang: Lang::En,
            pack: Rc::default(),
        }
    }

    /// `lang`'s words, its pack read from the storefront's static assets (as served for `req`)
    /// the first time this isolate needs it. A pack that cannot be read is an error: the caller
    /// then serves the page unpainted, and the app fetches the pack itself.
    pub async fn of(lang: Lang, req: &Request, env: &Env) -> Result<Words> {
        if lang == Lang::En {
            return Ok(Words::english());
        }
        if let Some(pack) = PACKS.with_borrow(|packs| packs.get(&lang).cloned()) {
            return Ok(Words { lang, pack });
        }
        let url = req.url()?.join(&format!("/lang/{}.json", lang.tag()))?;
        let mut response = env.assets("ASSETS")?.fetch(url.to_string(), None).await?;
        if response.status_code() != 200 {
            return Err(format!("{url} answered {}", response.status_code()).into());
        }
        let pack: Pack = serde_json::from_str(&response.text().await?)?;
        let pack = Rc::new(pack);
        PACKS.with_borrow_mut(|packs| packs.insert(lang, Rc::clone(&pack)));
        Ok(Words { lang, pack })
    }

    /// `lang`'s words from `pack`'s pairs (English words, their translation), for tests.
    #[cfg(test)]
    pub fn with_pack(lang: Lang, pack: &[(&str, &str)]) -> Words {
        let pack = pack
            .iter()
            .map(|(english, words)| (english.to_string(), words.to_string()));
        Words {
            lang,
            pack: Rc::new(pack.collect()),
        }
    }

    /// The language these words are in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// `text` in this language, escaped for HTML; its English words where the pack has none,
    /// as the app's packs fall back (`app/src/i18n/packs.rs`).
    pub fn get(&self, text: Text) -> String {
        let english = text.english();
        escape(self.pack.get(english).map_or(english, String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_in_the_pack_else_in_english_and_always_escaped() {
        let korean = Words::with_pack(Lang::Ko, &[("Buy now", "지금 <구매>")]);
        assert_eq!(korean.get(Text::BuyNow), "지금 &lt;구매&gt;");
        assert_eq!(korean.get(Text::FlashDeals), Text::FlashDeals.english());
        assert_eq!(Words::english().get(Text::BuyNow), "Buy now");
    }
}
