//! A volunteer's own work, offline: the requests assigned to them and their hours per month.

use domain::request_list::{filter_requests, RequestFilter, SortOrder};
use domain::workflow::{hours_text, monthly_hours};
use leptos::prelude::*;

use crate::components::cards::RequestCard;
use crate::i18n::*;
use crate::state::use_app_state;

#[component]
pub fn MyWorkPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let me = move || state.account.with(|a| a.as_ref().map(|a| a.id));
    let mine = Memo::new(move |_| {
        let filter = RequestFilter {
            assigned_to: me(),
            sort: SortOrder::NeededBy,
            ..Default::default()
        };
        state.requests.with(|rows| {
            rows.as_ref().map(|rows| {
                filter_requests(rows, &filter, &Default::default())
                    .into_iter()
                    .filter(|r| !r.request.status.is_final())
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let months = Memo::new(move |_| {
        let Some(me) = me() else { return Vec::new() };
        state
            .requests
            .with(|rows| monthly_hours(rows.iter().flatten().map(|r| &r.request), me))
    });
    view! {
        <h1>{t!(i18n, my_work_title)}</h1>
        <h2>{t!(i18n, my_requests_title)}</h2>
        {move || match mine.get() {
            None => view! { <p class="muted">{t!(i18n, requests_loading)}</p> }.into_any(),
            Some(rows) if rows.is_empty() => view! { <p class="muted">{t!(i18n, my_requests_empty)}</p> }.into_any(),
            Some(rows) => view! {
                <ul class="cards" data-testid="my-requests">
                    {rows.into_iter().map(|row| view! { <RequestCard row /> }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <h2 id="hours-title">{t!(i18n, my_hours_title)}</h2>
        <Show
            when=move || !months.with(Vec::is_empty)
            fallback=move || view! { <p class="muted">{t!(i18n, my_hours_empty)}</p> }
        >
            <table class="table" aria-labelledby="hours-title" data-testid="my-hours">
                <thead>
                    <tr><th scope="col">{t!(i18n, month)}</th><th scope="col">{t!(i18n, hours)}</th></tr>
                </thead>
                <tbody>
                    {move || months.get().into_iter().map(|m| view! {
                        <tr>
                            <td>{format!("{:02}.{}", m.month, m.year)}</td>
                            <td>{hours_text(m.minutes)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}
