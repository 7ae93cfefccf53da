//! The console in three languages, in real headless Chromium on the shared stack: an English
//! browser sees English; the switch in the top bar turns the sign-in page Korean before signing
//! in; signed in, the headings and the navigation read Korean, `<html lang>` follows, and a
//! reload keeps the choice; Chinese likewise. At 375 and 1280 px nothing overflows sideways
//! (screenshots `console-{ko,zh-CN}-{375,1280}.png` and `console-ko-sign-in-375.png` under `target/festival-artifacts/`).

use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::Failed;
use serde_json::json;

use crate::chromium::Browser;
use crate::console::{sign_in, testid};
use crate::stack::{MARKETER_TOKEN, Stack, check};

/// A language's words for the parts of the console the test reads.
struct Words {
    /// The `<select>` value, and `<html lang>`.
    tag: &'static str,
    sign_in: &'static str,
    sales: &'static str,
    live: &'static str,
    audit_link: &'static str,
    sign_out: &'static str,
}

const ENGLISH: Words = Words {
    tag: "en",
    sign_in: "Sign in",
    sales: "Sales",
    live: "Live",
    audit_link: "Audit",
    sign_out: "Sign out",
};

const KOREAN: Words = Words {
    tag: "ko",
    sign_in: "로그인",
    sales: "판매",
    live: "실시간",
    audit_link: "감사 로그",
    sign_out: "로그아웃",
};

const CHINESE: Words = Words {
    tag: "zh-CN",
    sign_in: "登录",
    sales: "促销",
    live: "实时",
    audit_link: "审计",
    sign_out: "退出登录",
};

const AUDIT_LINK: &str = r##".bar-nav a[href="#audit"]"##;

pub async fn console_speaks_korean_and_chinese(stack: Arc<Stack>) -> Result<(), Failed> {
    Browser::open("console-lang")
        .await?
        .run("console-lang", async |b: &Browser| {
            b.client.set_window_size(1280, 900).await?;
            b.client.goto(&format!("{}/console/", stack.edge)).await?;
            let heading = b.text("#sign-in-heading").await?;
            check(
                heading == ENGLISH.sign_in,
                format!("an English browser reads English: {heading:?}"),
            )?;
            // Signed out, the switch is there: the sign-in page reads Korean, on a phone too.
            choose(b, &KOREAN).await?;
            b.text_until("#sign-in-heading", |t| t == KOREAN.sign_in)
                .await?;
            b.client.set_window_size(375, 812).await?;
            b.screenshot("console-ko-sign-in-375.png").await?;
            b.client.set_window_size(1280, 900).await?;
            sign_in(&b.client, MARKETER_TOKEN).await?;
            reads(b, &KOREAN).await?;
            b.client.refresh().await?;
            reads(b, &KOREAN).await?;
            fits(b, &KOREAN).await?;
            choose(b, &CHINESE).await?;
            reads(b, &CHINESE).await?;
            fits(b, &CHINESE).await?;
            choose(b, &ENGLISH).await?;
            reads(b, &ENGLISH).await
        })
        .await
}

/// Picks `words`' language in the top bar's switch.
async fn choose(b: &Browser, words: &Words) -> Result<(), Failed> {
    b.wait_for(&testid("console-lang"))
        .await?
        .select_by_value(words.tag)
        .await?;
    Ok(())
}

/// Signed in, the headings, the navigation and `<html lang>` are in `words`' language.
async fn reads(b: &Browser, words: &Words) -> Result<(), Failed> {
    b.text_until("#sales-heading", |t| t == words.sales).await?;
    b.text_until("#live-heading", |t| t == words.live).await?;
    b.text_until(AUDIT_LINK, |t| t == words.audit_link).await?;
    b.text_until(&testid("console-sign-out"), |t| t == words.sign_out)
        .await?;
    let lang = b
        .client
        .execute("return document.documentElement.lang", vec![])
        .await?;
    check(
        lang == json!(words.tag),
        format!("<html lang> follows the switch: {lang}"),
    )
}

/// At 375 and 1280 px the page is no wider than the window; a screenshot of each.
async fn fits(b: &Browser, words: &Words) -> Result<(), Failed> {
    for (width, height) in [(375, 812), (1280, 900)] {
        b.client.set_window_size(width, height).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        b.client.execute("window.scrollTo(0, 0)", vec![]).await?;
        b.fits_the_window(&format!("the console in {} at {width} px", words.tag))
            .await?;
        b.screenshot(&format!("console-{}-{width}.png", words.tag))
            .await?;
    }
    Ok(())
}
