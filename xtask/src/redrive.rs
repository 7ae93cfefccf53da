//! `cargo xtask redrive`: sends the edge's dead letters to origin again, page by page, through
//! the edge's `POST /api/ops/redrive` (the batch secret stays in the edge). Each page goes to
//! origin as one signed batch; origin stores by order id, so nothing is stored twice, and each
//! letter is removed once origin holds its order. A pass walks every page once; passes repeat
//! until no letter is left or a pass removes none (origin still refuses, or is unreachable).

use std::fmt;
use std::time::Duration;

use festival_domain::dead_letter::{RedriveRefusal, RedriveRequest, Redriven};

/// Passes at most: each one that removes letters earns another, to pick up letters that arrived
/// meanwhile; a stream of new dead letters must not keep the command running for ever.
const MAX_PASSES: usize = 20;

/// Most order ids printed per refusal.
const IDS_SHOWN: usize = 10;

/// What a redrive did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Passes over the store.
    pub passes: usize,
    /// Redrive requests (pages) sent to the edge.
    pub pages: usize,
    /// Orders sent to origin (a letter sent in two passes counts twice).
    pub resent: usize,
    /// Orders origin stored now.
    pub stored_now: usize,
    /// Orders origin already held.
    pub already_stored: usize,
    /// Letters removed.
    pub removed: usize,
    /// The last pass's refusals by origin: why, and which orders (their letters are kept).
    pub refused: Vec<RedriveRefusal>,
    /// The last pass's outages (origin or a shard unreachable).
    pub outages: Vec<String>,
    /// Letters whose body is no order, seen in the last pass (kept, never sent).
    pub unreadable: usize,
    /// Letters the last pass saw and kept.
    pub left: usize,
}

impl Report {
    /// Whether no letter is left.
    pub fn is_done(&self) -> bool {
        self.left == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "redrive: {} pass(es), {} page(s)",
            self.passes, self.pages
        )?;
        writeln!(f, "  re-sent         {:>8} orders", self.resent)?;
        writeln!(f, "  stored now      {:>8}", self.stored_now)?;
        writeln!(f, "  already stored  {:>8}", self.already_stored)?;
        writeln!(f, "  letters removed {:>8}", self.removed)?;
        for refusal in &self.refused {
            let ids: Vec<&str> = refusal.order_ids.iter().map(|id| id.as_str()).collect();
            let more = ids.len().saturating_sub(IDS_SHOWN);
            writeln!(
                f,
                "  still refused   {:>8}  {}: {}",
                ids.len(),
                refusal.reason.code,
                refusal.reason.message
            )?;
            let shown = ids[..ids.len().min(IDS_SHOWN)].join(", ");
            let more = match more {
                0 => String::new(),
                more => format!(" and {more} more"),
            };
            writeln!(f, "                            orders: {shown}{more}")?;
        }
        for outage in &self.outages {
            writeln!(f, "  not reached: {outage}")?;
        }
        if self.unreadable > 0 {
            writeln!(
                f,
                "  unreadable      {:>8}  (no order inside)",
                self.unreadable
            )?;
        }
        writeln!(f, "  letters left    {:>8}", self.left)
    }
}

/// One pass over the store.
#[derive(Default)]
struct Pass {
    pages: usize,
    letters: usize,
    resent: usize,
    stored_now: usize,
    already_stored: usize,
    removed: usize,
    refused: Vec<RedriveRefusal>,
    outages: Vec<String>,
    unreadable: usize,
}

impl Pass {
    fn add(&mut self, page: Redriven) {
        self.pages += 1;
        self.letters += page.letters;
        self.resent += page.resent;
        self.stored_now += page.stored_now.len();
        self.already_stored += page.already_stored.len();
        self.removed += page.removed;
        self.refused.extend(page.refused);
        self.outages.extend(page.outage);
        self.unreadable += page.unreadable;
    }
}

/// Sends every dead letter at `edge_url` to origin again, with the marketer `token`; see the
/// module doc. An error means the edge itself could not be asked.
pub fn redrive(edge_url: &str, token: &str) -> Result<Report, String> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    let url = format!("{edge_url}/api/ops/redrive");
    let mut report = Report::default();
    while report.passes < MAX_PASSES {
        let mut pass = Pass::default();
        let mut after = None;
        loop {
            let page = send_page(&agent, &url, token, after)?;
            after = page.next.clone();
            pass.add(page);
            if after.is_none() {
                break;
            }
        }
        report.passes += 1;
        report.pages += pass.pages;
        report.resent += pass.resent;
        report.stored_now += pass.stored_now;
        report.already_stored += pass.already_stored;
        report.removed += pass.removed;
        report.refused = pass.refused;
        report.outages = pass.outages;
        report.unreadable = pass.unreadable;
        report.left = pass.letters - pass.removed;
        if pass.letters == 0 || pass.removed == 0 {
            break;
        }
    }
    Ok(report)
}

/// Asks the edge to redrive the page after `after`.
fn send_page(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    after: Option<String>,
) -> Result<Redriven, String> {
    let request = RedriveRequest { after, limit: None };
    let mut response = agent
        .post(url)
        .header("authorization", &format!("Bearer {token}"))
        .send_json(&request)
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    if status != 200 {
        let text = response.body_mut().read_to_string().unwrap_or_default();
        return Err(format!("{url} answered {status}: {text}"));
    }
    response
        .body_mut()
        .read_json::<Redriven>()
        .map_err(|e| format!("{url}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use festival_domain::OrderId;
    use festival_domain::refusal::ErrorBody;

    #[test]
    fn a_report_says_what_was_stored_refused_and_left() {
        let id = OrderId::parse("lantern.0.0123456789abcdef0123456789abcdef").unwrap();
        let report = Report {
            passes: 2,
            pages: 3,
            resent: 7,
            stored_now: 4,
            already_stored: 1,
            removed: 5,
            refused: vec![RedriveRefusal {
                reason: ErrorBody {
                    code: "bad_request".into(),
                    message: "the request body is not valid".into(),
                },
                order_ids: vec![id],
            }],
            left: 1,
            ..Report::default()
        };
        let text = report.to_string();
        assert!(text.contains("stored now             4"), "{text}");
        assert!(text.contains("bad_request: the request body is not valid"));
        assert!(text.contains("lantern.0.0123456789abcdef0123456789abcdef"));
        assert!(text.contains("letters left           1"), "{text}");
        assert!(!report.is_done());
    }
}
