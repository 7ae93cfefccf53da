//! Real headless Chromium for the end-to-end tests, driven over WebDriver: each browser gets
//! its own chromedriver on a free port and a fresh profile, and both stop with it.

use std::process::Command;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use festival_stack::paths;
use festival_stack::process::{self as procs, Service};
use libtest_mimic::Failed;
use serde_json::json;

/// How long the shopper waits for the page to change before the test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

/// A headless Chromium with its own profile, and the chromedriver that drives it.
pub(crate) struct Browser {
    pub(crate) client: Client,
    /// chromedriver's address, for the DevTools commands WebDriver has no words for.
    driver_url: String,
    _driver: Service,
    /// Removed after the driver (and its Chromium) stopped: fields drop in order.
    _profile: Profile,
}

/// A browser profile folder, removed on drop.
struct Profile(std::path::PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Browser {
    /// Starts chromedriver on a free port and opens a 1280×900 window with a fresh profile.
    pub(crate) async fn open(name: &str) -> Result<Browser, Failed> {
        let port = procs::free_port();
        let mut command = Command::new("/usr/bin/chromedriver");
        command
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null());
        let mut driver = Service::spawn("chromedriver", command)?;
        let url = format!("http://127.0.0.1:{port}");
        tokio::task::block_in_place(|| {
            procs::wait_until_ok(
                &mut driver,
                &format!("{url}/status"),
                Duration::from_secs(30),
            )
        })?;
        let profile = Profile(
            std::env::temp_dir().join(format!("festival-chromium-{name}-{}", std::process::id())),
        );
        let _ = std::fs::remove_dir_all(&profile.0);
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900", "--lang=en-US",
                    format!("--user-data-dir={}", profile.0.display()),
                ],
                "prefs": {"intl.accept_languages": "en-US,en"},
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&url)
            .await?;
        Ok(Browser {
            client,
            driver_url: url,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Waits for the first element matching `css`.
    pub(crate) async fn wait_for(&self, css: &str) -> Result<Element, Failed> {
        Ok(self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("waiting for {css}: {e}"))?)
    }

    /// The text of the first element matching `css`, once there is one.
    pub(crate) async fn text(&self, css: &str) -> Result<String, Failed> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Waits until the text of `css` satisfies `ok`, and answers it.
    pub(crate) async fn text_until(
        &self,
        css: &str,
        ok: impl Fn(&str) -> bool,
    ) -> Result<String, Failed> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if ok(&text) {
                return Ok(text);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("{css} never read as expected; last {text:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Checks that the page is no wider than the window: nothing overflows sideways. `what`
    /// names the page and width in the failure.
    pub(crate) async fn fits_the_window(&self, what: &str) -> Result<(), Failed> {
        let sizes = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await?;
        let (scroll, inner) = (sizes[0].as_i64(), sizes[1].as_i64());
        match scroll.is_some() && scroll <= inner {
            true => Ok(()),
            false => Err(format!("{what}: scrollWidth {scroll:?} > {inner:?}").into()),
        }
    }

    /// Sends a Chrome DevTools Protocol command to the page through chromedriver's
    /// `goog/cdp/execute` (as the benchmark does): to cut, slow or hold the page's network.
    pub(crate) async fn cdp(&self, cmd: &str, params: serde_json::Value) -> Result<(), Failed> {
        let session = self
            .client
            .session_id()
            .await?
            .ok_or("no WebDriver session")?;
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let answer = reqwest::Client::new()
            .post(url)
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await?;
        let status = answer.status();
        let body = answer.text().await?;
        check_cdp(status.is_success(), cmd, &body)
    }

    /// Saves a screenshot under `target/festival-artifacts/`.
    pub(crate) async fn screenshot(&self, name: &str) -> Result<(), Failed> {
        screenshot(&self.client, name).await
    }

    /// Runs `scenario`, saving a screenshot named after the test if it fails, then closes.
    pub(crate) async fn run<F>(self, name: &str, scenario: F) -> Result<(), Failed>
    where
        F: AsyncFnOnce(&Browser) -> Result<(), Failed>,
    {
        let result = scenario(&self).await;
        if result.is_err() {
            let _ = self.screenshot(&format!("{name}-failure.png")).await;
        }
        let _ = self.client.clone().close().await;
        result
    }
}

/// A DevTools command's answer, as a test failure when it failed.
fn check_cdp(ok: bool, cmd: &str, body: &str) -> Result<(), Failed> {
    match ok {
        true => Ok(()),
        false => Err(format!("{cmd} failed: {body}").into()),
    }
}

/// The CSS selector of deal `id`'s card on the storefront.
pub(crate) fn deal_card(id: &str) -> String {
    format!(r#"[data-testid="deal-card"][data-deal-id="{id}"]"#)
}

/// Opens the storefront at `edge` and waits for deal `id`'s card; answers its selector.
pub(crate) async fn open_deal_card(
    client: &Client,
    edge: &str,
    id: &str,
) -> Result<String, Failed> {
    client.goto(edge).await?;
    let card = deal_card(id);
    client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&card))
        .await?;
    Ok(card)
}

/// Saves a screenshot of `client`'s window under `target/festival-artifacts/`.
pub(crate) async fn screenshot(client: &Client, name: &str) -> Result<(), Failed> {
    let dir = paths::artifacts();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), client.screenshot().await?)?;
    Ok(())
}
