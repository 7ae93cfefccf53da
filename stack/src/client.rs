//! The HTTP client the tools talk to a stack with.

use std::time::Duration;

/// A keep-alive agent that hands back 4xx/5xx as answers, not errors.
///
/// Its timeouts are per phase, with none on name resolution: ureq resolves the host on every
/// request, even on a kept-alive connection, and under a timeout it resolves on a new thread.
/// That was a thread per request, a tenth of a core at 2,000 requests/s taken from the server
/// on this 2-core box. The addresses here are IP literals, resolved without a lookup.
pub fn agent() -> ureq::Agent {
    let answer_within = Some(Duration::from_secs(30));
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_send_request(answer_within)
        .timeout_send_body(answer_within)
        .timeout_recv_response(answer_within)
        .timeout_recv_body(answer_within)
        .http_status_as_error(false)
        .max_idle_connections_per_host(4)
        .build()
        .new_agent()
}
