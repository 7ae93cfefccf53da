//! First paint: the Worker answers the storefront's `/` with the deal cards already in the page
//! ([`markup`]), so a shopper sees prices, stock and the countdown before the Wasm has loaded,
//! and the catalog they show travels beside them as JSON, so the app's first render is the same
//! page: it mounts, removes this picture of it in the same task (nothing is painted in
//! between), and polls from there. It costs no object call: the catalog is the isolate's board,
//! as `/api/catalog` serves it.
//!
//! The cards are in English: a shopper whose storefront will speak another language (the
//! `festival.lang` cookie the app writes, else the browser's first language) gets the plain
//! page, as before, rather than English words that change as they read them.

pub mod markup;
pub mod static_cards;

use festival_domain::words::Text;
use festival_domain::{Catalog, Festival};
use worker::{Env, Request, Response, Result, console_warn};

use crate::catalog;
use crate::error::EdgeResult;

/// Where the page's picture goes, and the catalog it shows; the app reads both by these ids.
const PAINTED_ID: &str = "first-paint";
const CATALOG_ID: &str = "first-catalog";

/// `GET /`: the storefront's `index.html`, with the current deals painted in when the shopper
/// reads English. A catalog that cannot be had leaves the page as it is: the app loads it.
pub async fn storefront(req: &Request, env: &Env) -> EdgeResult<Response> {
    let index = index_html(req, env).await?;
    let page = if reads_english(req)? {
        match catalog::public(env, "en").await {
            // Between festivals the hero says when the next one starts in the shopper's own
            // time zone, which only the browser knows: that page is the app's to render.
            Ok(catalog) if catalog.between_festivals_next_start().is_some() => index,
            Ok(catalog) => painted(&index, &catalog)?,
            Err(error) => {
                console_warn!("first paint without deals: the catalog failed: {error}");
                index
            }
        }
    } else {
        index
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

/// `index` with `catalog` painted at the start of its body, and the catalog beside it; the
/// running festival's name in the title and its accent on `<html>`, as the app sets them.
pub fn painted(index: &str, catalog: &Catalog) -> Result<String> {
    let dressed = catalog
        .festival
        .as_ref()
        .map(|festival| dressed_for(index, festival));
    let index = dressed.as_deref().unwrap_or(index);
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
        page = markup::page(catalog),
        rest = &index[body..],
    ))
}

/// `index` titled "{name} Festival" with `--accent` set on its root element, as the app's
/// `App` sets them once it runs.
fn dressed_for(index: &str, festival: &Festival) -> String {
    let title = format!(
        "<title>{} {}</title>",
        markup::escape(&festival.name),
        Text::BrandName.english()
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

/// Whether the storefront will speak English to the sender of `req`: the language the shopper
/// chose (the app's `festival.lang` cookie), else the first the browser asks for; the app
/// speaks English to every language but Korean and Chinese.
fn reads_english(req: &Request) -> Result<bool> {
    Ok(speaks_english(shopper_language(req)?.as_deref()))
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

/// `tag` (a cookie's value or an `Accept-Language` list) names no language but English: the
/// domain's one reading of a tag, which the catalog's choice of words follows too.
fn speaks_english(tag: Option<&str>) -> bool {
    festival_domain::deal::language_of(tag.unwrap_or_default()).is_none()
}

#[cfg(test)]
mod tests {
    use festival_domain::{CatalogDeal, UnixMillis};

    use super::*;

    #[test]
    fn the_picture_goes_first_in_the_body_and_its_catalog_cannot_close_the_script() {
        let index = "<html><head></head><body><script src=app.js></script></body></html>";
        let mut deal = markup::tests::sample_deal();
        deal.name = "</script><b>bold</b>".into();
        let catalog = Catalog {
            server_time: UnixMillis(5),
            deals: vec![CatalogDeal {
                deal,
                stock_left: 3,
            }],
            festival: None,
            next_festival: None,
        };
        let page = painted(index, &catalog).unwrap();
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
        assert!(painted("<html></html>", &catalog).is_err());
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
        let page = painted(index, &catalog).unwrap();
        assert!(
            page.starts_with(
                r#"<html style="--accent:#b0001d" lang="en"><head><title>11.11 Festival</title></head><body>"#
            ),
            "{page}"
        );
    }

    #[test]
    fn english_unless_korean_or_chinese_is_chosen_or_asked_for() {
        assert!(speaks_english(None));
        assert!(speaks_english(Some("en-GB,en;q=0.9")));
        assert!(speaks_english(Some("fr-FR,fr;q=0.9")));
        assert!(!speaks_english(Some("ko-KR,ko;q=0.9,en;q=0.8")));
        assert!(!speaks_english(Some("zh-CN")));
        assert!(!speaks_english(Some("zh")));
    }
}
