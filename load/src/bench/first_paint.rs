//! Time from navigation to the first painted deal card in headless Chromium: the storefront
//! (`/`: the edge paints the cards into its HTML, then JS → Wasm → the app takes the page over)
//! against the same page as static HTML with no script (`/api/static-cards`), both from the same
//! Worker.
//!
//! Chromium runs under chromedriver, driven over the W3C WebDriver HTTP API with `ureq`. Before
//! any navigation a script is added to every new document (chromedriver's CDP passthrough,
//! `Page.addScriptToEvaluateOnNewDocument`): a `MutationObserver` notices the first
//! `.deal-card` (the edge's painted card or the app's), then waits for the next animation frame
//! and the task after it — the frame that shows the card has been painted by then — and keeps
//! `performance.now()`, i.e. milliseconds since the navigation started (`performance.timeOrigin`).
//! Each run starts from `about:blank` with a cache-busting `?r=N`; the two pages alternate,
//! after one warm-up each.
//! Two series: "cold", with the browser's cache disabled (`Network.setCacheDisabled`: the
//! storefront downloads and compiles its JS and Wasm every time, as on a first visit), and
//! "warm", with the HTTP cache on (a returning shopper: wrangler's assets revalidate with an
//! ETag).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use festival_stack::process::{self as stack, Service};
use serde::Serialize;
use serde_json::{Value, json};

/// Measured navigations per page and cache mode (after one warm-up each).
pub const RUNS: usize = 10;

/// Installed on every new document before its own scripts run.
const OBSERVER: &str = r#"(() => {
  let seen = false;
  const check = (observer) => {
    if (seen || !document.querySelector('.deal-card')) return;
    seen = true;
    if (observer) observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { window.__festivalFirstCard = performance.now(); }, 0));
  };
  const observer = new MutationObserver(() => check(observer));
  observer.observe(document, { childList: true, subtree: true });
})();"#;

/// One page's runs in one cache mode.
#[derive(Debug, Clone, Serialize)]
pub struct PaintSeries {
    /// `storefront` or `static`.
    pub page: &'static str,
    pub path: &'static str,
    /// `cold` (cache disabled) or `warm` (HTTP cache on).
    pub cache: &'static str,
    /// Navigation start → first painted deal card, per run, ms.
    pub runs_ms: Vec<f64>,
    pub median_ms: f64,
    pub p90_ms: f64,
    /// Bytes the page and its resources took over the network (Resource Timing `transferSize`,
    /// headers included; a revalidated resource counts its 304), median over the runs.
    pub median_transfer_bytes: u64,
}

/// Both pages in both cache modes, and the ratios.
#[derive(Debug, Clone, Serialize)]
pub struct FirstPaint {
    pub series: Vec<PaintSeries>,
    /// Deal cards on the page (the same on both).
    pub cards: usize,
    /// Storefront ÷ static, medians, cache disabled.
    pub ratio_cold: f64,
    /// Storefront ÷ static, medians, HTTP cache on.
    pub ratio_warm: f64,
}

impl FirstPaint {
    /// The series of `page` in `cache` mode.
    pub fn series(&self, page: &str, cache: &str) -> Option<&PaintSeries> {
        self.series
            .iter()
            .find(|s| s.page == page && s.cache == cache)
    }
}

/// The `p`-th percentile (nearest rank) of `values`; 0 when there are none.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Measures both pages of the edge at `edge` (a base URL).
pub fn measure(edge: &str, runs: usize) -> Result<FirstPaint, String> {
    let browser = Browser::start()?;
    let pages = [("storefront", "/"), ("static", "/api/static-cards")];
    let mut series = Vec::new();
    let mut cards = 0;
    for (cache, disabled) in [("cold", true), ("warm", false)] {
        browser.cdp("Network.enable", json!({}))?;
        browser.cdp(
            "Network.setCacheDisabled",
            json!({ "cacheDisabled": disabled }),
        )?;
        let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        let mut bytes: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        for run in 0..=runs {
            for (i, (_, path)) in pages.iter().enumerate() {
                let url = format!("{edge}{path}?r={cache}-{run}");
                let card = browser.first_card(&url)?;
                cards = card.cards;
                if run > 0 {
                    times[i].push(card.ms);
                    bytes[i].push(card.transfer_bytes);
                }
            }
        }
        for (((page, path), runs_ms), bytes) in pages.into_iter().zip(times).zip(bytes) {
            series.push(PaintSeries {
                median_transfer_bytes: percentile(&bytes, 50.0) as u64,
                page,
                path,
                cache,
                median_ms: percentile(&runs_ms, 50.0),
                p90_ms: percentile(&runs_ms, 90.0),
                runs_ms,
            });
        }
    }
    let mut paint = FirstPaint {
        series,
        cards,
        ratio_cold: 0.0,
        ratio_warm: 0.0,
    };
    let ratio = |cache| {
        let median = |page| paint.series(page, cache).map_or(0.0, |s| s.median_ms);
        crate::generator::ratio(median("storefront"), median("static"))
    };
    (paint.ratio_cold, paint.ratio_warm) = (ratio("cold"), ratio("warm"));
    Ok(paint)
}

/// One navigation's reading.
struct Card {
    /// Navigation start → first painted deal card.
    ms: f64,
    /// Deal cards on the page when it was read.
    cards: usize,
    /// The document's and its resources' `transferSize`, summed.
    transfer_bytes: f64,
}

/// Headless Chromium under chromedriver, with a fresh profile; dropping it ends the session,
/// stops chromedriver (and its Chromium, same process group) and removes the profile.
struct Browser {
    agent: ureq::Agent,
    /// `http://127.0.0.1:<port>/session/<id>`.
    session: String,
    driver: Service,
    profile: PathBuf,
}

impl Browser {
    fn start() -> Result<Browser, String> {
        let port = stack::free_port();
        let mut command = Command::new("/usr/bin/chromedriver");
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut driver = Service::spawn("chromedriver", command)
            .map_err(|e| format!("starting /usr/bin/chromedriver: {e}"))?;
        let base = format!("http://127.0.0.1:{port}");
        stack::wait_until_ok(
            &mut driver,
            &format!("{base}/status"),
            Duration::from_secs(30),
        )?;
        let profile =
            std::env::temp_dir().join(format!("festival-bench-chromium-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        let mut browser = Browser {
            agent,
            session: String::new(),
            driver,
            profile,
        };
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900", "--lang=en-US",
                    format!("--user-data-dir={}", browser.profile.display()),
                ],
            },
        }}});
        let created = browser.call("POST", &format!("{base}/session"), Some(&capabilities))?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| format!("chromedriver: no session id in {created}"))?;
        browser.session = format!("{base}/session/{id}");
        browser.call(
            "POST",
            &format!("{}/timeouts", browser.session),
            Some(&json!({"pageLoad": 60_000, "script": 30_000})),
        )?;
        browser.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": OBSERVER }),
        )?;
        Ok(browser)
    }

    /// A WebDriver command; answers its `value`, or the driver's error as an error.
    fn call(&self, method: &str, url: &str, body: Option<&Value>) -> Result<Value, String> {
        let response = match (method, body) {
            ("POST", Some(body)) => self.agent.post(url).send_json(body),
            ("POST", None) => self.agent.post(url).send_json(json!({})),
            ("DELETE", _) => self.agent.delete(url).call(),
            _ => self.agent.get(url).call(),
        };
        let mut response = response.map_err(|e| format!("{method} {url}: {e}"))?;
        let status = response.status().as_u16();
        let answer: Value = response
            .body_mut()
            .read_json()
            .map_err(|e| format!("{method} {url}: {e}"))?;
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if status == 200 {
            Ok(value)
        } else {
            Err(format!(
                "{method} {url}: {status} {} {}",
                value["error"].as_str().unwrap_or_default(),
                value["message"].as_str().unwrap_or_default()
            ))
        }
    }

    /// A Chrome DevTools Protocol command through chromedriver.
    fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        let url = format!("{}/goog/cdp/execute", self.session);
        self.call("POST", &url, Some(&json!({"cmd": cmd, "params": params})))
    }

    fn script(&self, script: &str) -> Result<Value, String> {
        let url = format!("{}/execute/sync", self.session);
        self.call("POST", &url, Some(&json!({"script": script, "args": []})))
    }

    /// Opens `url` from `about:blank` and reads when its first deal card was painted.
    fn first_card(&self, url: &str) -> Result<Card, String> {
        let navigate = format!("{}/url", self.session);
        self.call("POST", &navigate, Some(&json!({"url": "about:blank"})))?;
        self.call("POST", &navigate, Some(&json!({ "url": url })))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let answer = self.script(
                "return [window.__festivalFirstCard ?? null, \
                 document.querySelectorAll('.deal-card').length, \
                 performance.getEntries().reduce((n, e) => n + (e.transferSize || 0), 0)];",
            )?;
            if let Some(ms) = answer[0].as_f64() {
                return Ok(Card {
                    ms,
                    cards: answer[1].as_u64().unwrap_or(0) as usize,
                    transfer_bytes: answer[2].as_f64().unwrap_or(0.0),
                });
            }
            if Instant::now() > deadline {
                return Err(format!("{url}: no deal card painted within 30 s"));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &self.session, None);
        }
        self.driver.stop();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank_of_unsorted_values() {
        let values = [5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 9.0, 8.0, 7.0, 6.0];
        assert_eq!(percentile(&values, 50.0), 5.0);
        assert_eq!(percentile(&values, 90.0), 9.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
