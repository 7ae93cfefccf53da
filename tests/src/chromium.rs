//! Real headless Chromium for the end-to-end tests, driven over WebDriver: each browser gets
//! its own chromedriver on a free port and a fresh profile, and both stop with it.

use std::process::Command;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use libtest_mimic::Failed;
use serde_json::json;
use xtask::paths;
use xtask::stack::{self as procs, Service};

/// How long the shopper waits for the page to change before the test fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

/// A headless Chromium with its own profile, and the chromedriver that drives it.
pub(crate) struct Browser {
    pub(crate) client: Client,
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

/// Saves a screenshot of `client`'s window under `target/festival-artifacts/`.
pub(crate) async fn screenshot(client: &Client, name: &str) -> Result<(), Failed> {
    let dir = paths::artifacts();
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), client.screenshot().await?)?;
    Ok(())
}
