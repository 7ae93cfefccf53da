//! The console's dead-letter panel, as the dead-letter tests see it: how many orders wait, why,
//! and what to do; gone once none wait.

use fantoccini::Locator;
use libtest_mimic::Failed;

use crate::chromium::{Browser, PATIENCE, screenshot};
use crate::console::{sign_in, testid};
use crate::stack::{MARKETER_TOKEN, Stack, check, eventually};

/// Signs in to the console while `letters` dead letters wait, all for the reason `code` with
/// origin's `words`: the live dashboard shows their count, the reason and what to do. Keeps
/// pictures of the panel at 1280 and 375 px.
pub(crate) async fn shows_dead_letters(
    stack: &Stack,
    browser: &Browser,
    letters: u64,
    (code, words): (&str, &str),
) -> Result<(), Failed> {
    let client = &browser.client;
    client.goto(&format!("{}/console/", stack.edge)).await?;
    sign_in(client, MARKETER_TOKEN).await?;
    let panel = testid("dead-letters");
    let said = browser.text(&panel).await?;
    check(
        said.contains(&format!("{letters} orders wait as dead letters"))
            && said.contains("run cargo xtask redrive"),
        format!("the panel says how many wait and what to do: {said:?}"),
    )?;
    let reason = browser
        .text(&format!(r#"{panel} [data-code="{code}"]"#))
        .await?;
    check(
        reason.contains(&format!("{letters} orders"))
            && reason.contains(words)
            && reason.contains(code),
        format!("the panel gives origin's reason {code}: {reason:?}"),
    )?;
    for (width, height) in [(1280, 900), (375, 812)] {
        client.set_window_size(width, height).await?;
        client.execute("window.scrollTo(0, 0);", vec![]).await?;
        screenshot(client, &format!("console-dead-letters-{width}.png")).await?;
    }
    client.set_window_size(1280, 900).await?;
    Ok(())
}

/// Once no letter waits, the panel is gone by one of the console's next refreshes.
pub(crate) async fn dead_letters_panel_leaves(browser: &Browser) -> Result<(), Failed> {
    let (client, panel) = (&browser.client, testid("dead-letters"));
    eventually(PATIENCE, || async {
        Ok(client.find_all(Locator::Css(&panel)).await?.is_empty())
    })
    .await
    .map_err(|e| format!("the dead-letter panel stays once none wait: {e:?}").into())
}
