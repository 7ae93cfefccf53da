//! Every HTTP call the console makes: `/api/console/*` on the edge (which checks the marketer
//! token and forwards to origin's `/admin/*`), and `/api/ops/dead-letters`, which the edge
//! answers itself (so it still answers while origin is down); typed with the domain's own types.

use festival_domain::audit::AuditPage;
use festival_domain::catalog::ScheduledDeal;
use festival_domain::dashboard::Dashboard;
use festival_domain::dead_letter::Summary;
use festival_domain::live::LiveAction;
use festival_domain::refusal::ErrorBody;
use festival_domain::stock::BacklogReport;
use festival_domain::{Deal, DealId, Festival};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use web_sys::RequestCache;

/// Why a call gave no answer the page can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The token was refused (401): the console signs out.
    Unauthorized,
    /// The schedule breaks rules the server checks (422), each named by its field.
    Invalid(Vec<FieldProblem>),
    /// Another refusal (a 4xx with a stable code and words).
    Refused(ErrorBody),
    /// No usable answer: network down, a 5xx, or a body we could not read.
    Unreachable,
}

/// One broken rule, as the server names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldProblem {
    /// The field, as named in [`Deal`].
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

#[derive(Deserialize)]
struct InvalidSchedule {
    problems: Vec<FieldProblem>,
}

/// The console's marketer token, sent with every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token(pub String);

impl Token {
    fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        request
            .header("Authorization", &format!("Bearer {}", self.0))
            .cache(RequestCache::NoStore)
    }
}

const BASE: &str = "/api/console";

/// `GET /api/console/deals`: every scheduled sale. Also how a token is checked at sign-in.
pub async fn list_deals(token: &Token) -> Result<Vec<Deal>, ApiError> {
    let request = token.authorize(Request::get(&format!("{BASE}/deals")));
    read(request.send().await).await
}

/// `POST /api/console/deals`: schedules a new sale.
pub async fn schedule(token: &Token, deal: &Deal) -> Result<Deal, ApiError> {
    send_deal(
        token.authorize(Request::post(&format!("{BASE}/deals"))),
        deal,
    )
    .await
}

/// `PUT /api/console/deals/{id}`: replaces a sale's schedule before it starts.
pub async fn edit(token: &Token, deal: &Deal) -> Result<Deal, ApiError> {
    let url = format!("{BASE}/deals/{}", deal.id);
    send_deal(token.authorize(Request::put(&url)), deal).await
}

/// Sends `deal` as the JSON body of `request` and reads the deal origin answers.
async fn send_deal(request: RequestBuilder, deal: &Deal) -> Result<Deal, ApiError> {
    let request = request.json(deal).map_err(|_| ApiError::Unreachable)?;
    read(request.send().await).await
}

/// `DELETE /api/console/deals/{id}`: cancels a sale before it starts.
pub async fn cancel(token: &Token, id: &DealId) -> Result<(), ApiError> {
    let request = token.authorize(Request::delete(&format!("{BASE}/deals/{id}")));
    read::<serde_json::Value>(request.send().await)
        .await
        .map(|_| ())
}

/// `GET /api/console/festivals`: every festival, soonest first.
pub async fn list_festivals(token: &Token) -> Result<Vec<Festival>, ApiError> {
    let request = token.authorize(Request::get(&format!("{BASE}/festivals")));
    read(request.send().await).await
}

/// `POST /api/console/festivals` (a new festival) or `PUT /api/console/festivals/{id}` (an
/// edit of the stored one).
pub async fn save_festival(
    token: &Token,
    festival: &Festival,
    new: bool,
) -> Result<Festival, ApiError> {
    let request = if new {
        Request::post(&format!("{BASE}/festivals"))
    } else {
        Request::put(&format!("{BASE}/festivals/{}", festival.id))
    };
    let request = token
        .authorize(request)
        .json(festival)
        .map_err(|_| ApiError::Unreachable)?;
    read(request.send().await).await
}

/// `DELETE /api/console/festivals/{id}`: takes a festival out (its deals stay).
pub async fn delete_festival(token: &Token, id: &str) -> Result<(), ApiError> {
    let request = token.authorize(Request::delete(&format!("{BASE}/festivals/{id}")));
    read::<serde_json::Value>(request.send().await)
        .await
        .map(|_| ())
}

/// `GET /api/console/live`: every scheduled sale with its live controls.
pub async fn live(token: &Token) -> Result<Vec<ScheduledDeal>, ApiError> {
    read(
        token
            .authorize(Request::get(&format!("{BASE}/live")))
            .send()
            .await,
    )
    .await
}

/// `POST /api/console/deals/{id}/live`: ends, pauses, resumes or tops up a live sale; the
/// answer comes once every shard has it.
pub async fn act(
    token: &Token,
    id: &DealId,
    action: &LiveAction,
) -> Result<ScheduledDeal, ApiError> {
    let request = token.authorize(Request::post(&format!("{BASE}/deals/{id}/live")));
    let request = request.json(action).map_err(|_| ApiError::Unreachable)?;
    read(request.send().await).await
}

/// `GET /api/console/audit`: the newest changes first.
pub async fn audit(token: &Token) -> Result<AuditPage, ApiError> {
    read(
        token
            .authorize(Request::get(&format!("{BASE}/audit")))
            .send()
            .await,
    )
    .await
}

/// `GET /api/console/dashboard?window_s=…`: the live big screen.
pub async fn dashboard(token: &Token, window_s: u32) -> Result<Dashboard, ApiError> {
    let url = format!("{BASE}/dashboard?window_s={window_s}");
    read(token.authorize(Request::get(&url)).send().await).await
}

/// `GET /api/console/orders.csv?deal=…`: every order of `deal` (of every sale when `None`),
/// as CSV text.
pub async fn orders_csv(token: &Token, deal: Option<&DealId>) -> Result<String, ApiError> {
    let url = match deal {
        Some(deal) => format!("{BASE}/orders.csv?deal={deal}"),
        None => format!("{BASE}/orders.csv"),
    };
    let response = token
        .authorize(Request::get(&url))
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    match response.status() {
        200 => response.text().await.map_err(|_| ApiError::Unreachable),
        401 => Err(ApiError::Unauthorized),
        _ => Err(ApiError::Unreachable),
    }
}

/// `GET /api/ops/backlog`: what waits for origin at the edge, and how long the oldest has.
pub async fn backlog(token: &Token) -> Result<BacklogReport, ApiError> {
    let request = token.authorize(Request::get("/api/ops/backlog"));
    read(request.send().await).await
}

/// `GET /api/ops/dead-letters`: the orders whose delivery to origin gave up, per reason.
pub async fn dead_letters(token: &Token) -> Result<Summary, ApiError> {
    let request = token.authorize(Request::get("/api/ops/dead-letters"));
    read(request.send().await).await
}

/// Reads a 2xx body as `T`, a 4xx as a refusal, anything else as no answer.
async fn read<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    let response = sent.map_err(|_| ApiError::Unreachable)?;
    let status = response.status();
    if response.ok() {
        return response.json().await.map_err(|_| ApiError::Unreachable);
    }
    if status == 401 {
        return Err(ApiError::Unauthorized);
    }
    if !(400..500).contains(&status) {
        return Err(ApiError::Unreachable);
    }
    let text = response.text().await.unwrap_or_default();
    if status == 422
        && let Ok(invalid) = serde_json::from_str::<InvalidSchedule>(&text)
    {
        return Err(ApiError::Invalid(invalid.problems));
    }
    Err(ApiError::Refused(
        serde_json::from_str(&text).unwrap_or_else(|_| ErrorBody {
            code: format!("http_{status}"),
            message: crate::i18n::t("The console could not do that.").into(),
        }),
    ))
}
