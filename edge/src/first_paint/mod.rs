//! First paint: the Worker answers the storefront's `/` with the deal cards already in the page
//! ([`markup`]), so a shopper sees prices, stock and the countdown before the Wasm has loaded,
//! and the catalog they show travels beside them as JSON, so the app's first render is the same
//! page: it mounts, removes this picture of it in the same task (nothing is painted in
//! between), and polls from there. It costs no object call: the catalog is the isolate's board,
//! as `/api/catalog` serves it.
//!
//! The page is in the language the storefront will speak (the `festival.lang` cookie the app
//! writes, else the browser's first language): its words from the app's own language packs
//! ([`words`]), the deals' names from the catalog in that language, prices as the app writes
//! them, so the take-over changes no word.

pub mod markup;
pub mod static_cards;
pub mod words;

use festival_domain::lang::Lang;
use festival_domain::words::Text;
use festival_domain::{Catalog, Festival};
use worker::{Env, Request, Response, Result, console_warn};

use crate::catalog;
use crate::error::EdgeResult;
use words::Words;

/// Where the page's picture goes, and the catalog it shows; the app reads both by these ids.
const PAINTED_ID: &str = "first-paint";
const CATALOG_ID: &str = "first-catalog";

/// `GET /`: the storefront's `index.html`, with the current deals painted in, in the shopper's
/// language. A catalog or words that cannot be had leave the page as it is: the app loads them.
pub async fn storefront(req: &Request, env: &Env) -> EdgeResult<Response> {
    let index = index_html(req, env).await?;
    let lang = Lang::first_known([shopper_language(req)?.as_deref()]);
    let page = match (
        catalog::public(env, lang.tag()).await,
        Words::of(lang, req, env).await,
    ) {
        // Between festivals the hero says when the next one starts in the shopper's own
        // time zone, which only the browser knows: that page is the app's to render.
        (Ok(catalog), _) if catalog.between_festivals_next_start().is_some() => index,
        (Ok(catalog), Ok(words)) => painted(&index, &catalog, &words)?,
        (Err(error), _) | (_, Err(error)) => {
            console_warn!("first paint without deals: {error}");
            index
        }
    };
    let mut response = Response::from_html(page)?;
    // The page carries live stock: asked again on every visit, as `_headers` says of `/`.
    response.headers_mut().set("cache-control", "no-cache")?;
    Ok(response)
}

/// The storefront's `index.html` as Trunk built it, from the static assets.
pub async fn index_html(req: &Request, env: &Env) -> Result<String> {
    let index = req.url()?.join("/")?;
    env.assets("ASSETS")?
        .fetch(index.to_string(), None)
        .await?
        .text()
        .await
}

/// `index` with `catalog` painted at the start of its body in `words`' language, and the
/// catalog beside it; the language on `<html>`, the running festival's name in the title and its
/// accent, as the app sets them.
pub fn painted(index: &str, catalog: &Catalog, words: &Words) -> Result<String> {
    let index = in_language(index, words.lang());
    let dressed = catalog
        .festival
        .as_ref()
        .map(|festival| dressed_for(&index, festival, words));
    let index = dressed.as_deref().unwrap_or(&index);
    let body = index
        .find("<body>")
        .map(|at| at + "<body>".len())
        .ok_or("index.html has no <body>")?;
    // In a <script> element only `</script` ends it; `<` appears in JSON only inside strings,
    // where `\u003c` reads the same.
    let json = serde_json::to_string(catalog)?.replace('<', "\\u003c");
    Ok(format!(
        r#"{head}<div id="{PAINTED_ID}">{page}</div><script type="application/json" id="{CATALOG_ID}">{json}</script>{rest}"#,
        head = &index[..body],
        page = markup::page(catalog, words),
        rest = &index[body..],
    ))
}

/// `index` with its root element's `lang` (Trunk writes `lang=en`) saying `lang`, as the app's
/// `i18n::adopt` sets it.
fn in_language(index: &str, lang: Lang) -> String {
    let Some(open) = index.find("<html").filter(|_| lang != Lang::En) else {
        return index.to_owned();
    };
    let tag = format!(r#"lang="{}""#, lang.tag());
    let close = index[open..].find('>').map_or(index.len(), |at| open + at);
    let english = [r#"lang="en""#, "lang=en"]
        .iter()
        .find_map(|english| Some((open + index[open..close].find(english)?, english.len())));
    match english {
        Some((at, len)) => format!("{}{tag}{}", &index[..at], &index[at + len..]),
        None => index.replacen("<html", &format!("<html {tag}"), 1),
    }
}

/// `index` titled "{name} Festival" (in `words`' language) with `--accent` set on its root
/// element, as the app's `App` sets them once it runs.
fn dressed_for(index: &str, festival: &Festival, words: &Words) -> String {
    let title = format!(
        "<title>{} {}</title>",
        markup::escape(&festival.name),
        words.get(Text::BrandName)
    );
    let titled = match (index.find("<title>"), index.find("</title>")) {
        (Some(open), Some(close)) if open < close => {
            format!(
                "{}{title}{}",
                &index[..open],
                &index[close + "</title>".len()..]
            )
        }
        _ => index.to_owned(),
    };
    let accent = format!(
        r#"<html style="--accent:{}""#,
        markup::escape(&festival.accent)
    );
    titled.replacen("<html", &accent, 1)
}

/// The language the sender of `req` reads: the one they chose in the storefront (its
/// `festival.lang` cookie), else the browser's `Accept-Language` list; `None` when neither says.
pub fn shopper_language(req: &Request) -> Result<Option<String>> {
    let headers = req.headers();
    let chosen = headers.get("cookie")?.and_then(|cookies| {
        cookies
            .split(';')
            .find_map(|c| c.trim().strip_prefix("festival.lang=").map(str::to_owned))
    });
    Ok(chosen.or(headers.get("accept-language")?))
}

#[cfg(test)]
mod tests {
    use festival_domain::{CatalogDeal, UnixMillis};

    use super::*;

    /// A catalog at t=5 ms of `deal` with 3 units left, in `festival` if given.
    fn catalog_of(deal: festival_domain::Deal, festival: Option<Festival>) -> Catalog {
        Catalog {
            server_time: UnixMillis(5),
            deals: vec![CatalogDeal {
                deal,
                stock_left: 3,
                paused: false,
            }],
            festival,
            next_festival: None,
        }
    }

    #[test]
    fn the_picture_goes_first_in_the_body_and_its_catalog_cannot_close_the_script() {
        let index = "<html><head></head><body><script src=app.js></script></body></html>";
        let mut deal = markup::tests::sample_deal();
        deal.name = "</script><b>bold</b>".into();
        let catalog = catalog_of(deal, None);
        let page = painted(index, &catalog, &Words::english()).unwrap();
        assert!(
            page.starts_with(
                r#"<html><head></head><body><div id="first-paint"><a class="skip-link""#
            )
        );
        assert!(page.ends_with("</script><script src=app.js></script></body></html>"));
        assert!(!page.contains("</script><b>"), "{page}");
        let json = page
            .split(r#"<script type="application/json" id="first-catalog">"#)
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .unwrap();
        assert_eq!(serde_json::from_str::<Catalog>(json).unwrap(), catalog);
        assert!(painted("<html></html>", &catalog, &Words::english()).is_err());
    }

    #[test]
    fn the_running_festival_titles_the_page_and_gives_its_accent() {
        let index = r#"<html lang="en"><head><title>Festival</title></head><body></body></html>"#;
        let catalog = Catalog {
            server_time: UnixMillis(5),
            deals: Vec::new(),
            festival: Some(markup::tests::sample_festival()),
            next_festival: None,
        };
        let page = painted(index, &catalog, &Words::english()).unwrap();
        assert!(
            page.starts_with(
                r#"<html style="--accent:#b0001d" lang="en"><head><title>11.11 Festival</title></head><body>"#
            ),
            "{page}"
        );
    }

    #[test]
    fn a_korean_reader_gets_the_page_in_korean_words_and_prices() {
        let index = "<!doctype html><html lang=en><title>Festival</title><body></body></html>";
        let mut deal = markup::tests::sample_deal();
        deal.starts_at = UnixMillis(0);
        let catalog = catalog_of(deal, Some(markup::tests::sample_festival()));
        let words = Words::with_pack(
            Lang::Ko,
            &[("Festival", "페스티벌"), ("Buy now", "지금 구매")],
        );
        let page = painted(index, &catalog, &words).unwrap();
        assert!(
            page.contains(r#"<html style="--accent:#b0001d" lang="ko">"#),
            "{page}"
        );
        assert!(page.contains("<title>11.11 페스티벌</title>"), "{page}");
        assert!(
            page.contains(r#"<span class="deal-price">US$75.00</span>"#),
            "{page}"
        );
        assert!(page.contains(r#"aria-label="지금 구매: Silk lantern">지금 구매</button>"#));
        assert!(page.contains(r#"<option value="ko" lang="ko" selected>한국어</option>"#));
        assert!(page.contains(r#"<option value="en" lang="en">English</option>"#));
    }

    #[test]
    fn the_root_says_the_language_trunk_wrote_or_not() {
        let trunk = "<!doctype html><html lang=en><meta charset=utf-8><title>Festival</title>";
        assert_eq!(in_language(trunk, Lang::En), trunk);
        assert_eq!(
            in_language(trunk, Lang::Ko),
            r#"<!doctype html><html lang="ko"><meta charset=utf-8><title>Festival</title>"#
        );
        assert_eq!(
            in_language(r#"<html lang="en"><head>"#, Lang::Zh),
            r#"<html lang="zh-CN"><head>"#
        );
        assert_eq!(
            in_language("<html><head lang=en>", Lang::Ko),
            r#"<html lang="ko"><head lang=en>"#
        );
    }
}
