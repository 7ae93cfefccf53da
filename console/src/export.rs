//! "Download CSV": every order of one sale, or of all, as origin exports them
//! (`GET /api/console/orders.csv?deal=`). The export needs the marketer token, which a plain
//! link cannot send, so the button fetches it and hands the browser the file to save.

use festival_domain::DealId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::ConsoleState;
use crate::api::{self, ApiError};
use crate::i18n::{Said, t};

/// A button that downloads the orders of `deal` (of every sale when `None`) as CSV.
#[component]
pub fn DownloadCsv(deal: Option<DealId>) -> impl IntoView {
    let state = expect_context::<ConsoleState>();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Said>);
    let one_sale = deal.is_some();
    let label = move || match one_sale {
        true => t("Download CSV"),
        false => t("Download all orders (CSV)"),
    };
    let test_id = if deal.is_some() {
        "download-csv"
    } else {
        "download-all-csv"
    };
    let download = move |_| {
        let Some(token) = state.token() else { return };
        let deal = deal.clone();
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            match api::orders_csv(&token, deal.as_ref()).await {
                Ok(csv) => {
                    if save(&csv, &file_name(deal.as_ref())).is_err() {
                        problem.set(Some(Said::new(|| {
                            t("The browser did not save the file.").into()
                        })));
                    }
                }
                Err(ApiError::Unauthorized) => state.note(&ApiError::Unauthorized),
                Err(_) => problem.set(Some(Said::new(|| {
                    t("Can't reach the shop right now. Try again.").into()
                }))),
            }
            busy.set(false);
        });
    };
    view! {
        <span class="download">
            <button type="button" data-testid=test_id disabled=move || busy.get() on:click=download>
                {move || if busy.get() { t("Preparing…") } else { label() }}
            </button>
            {move || problem.get().map(|p| view! { <span class="error small" role="alert">{p.words()}</span> })}
        </span>
    }
}

/// The name the file is saved under.
fn file_name(deal: Option<&DealId>) -> String {
    match deal {
        Some(deal) => format!("festival-orders-{deal}.csv"),
        None => "festival-orders.csv".to_owned(),
    }
}

/// Hands `csv` to the browser as a download named `name`: a blob, a link to it, a click.
fn save(csv: &str, name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&csv.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}
