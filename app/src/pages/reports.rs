//! The organiser's dashboard: a period's numbers with plain bar charts (SVG, no charting library) that
//! read on a tablet and print, and the exports for the yearly report. The server counts; the page shows.

use chrono::{Datelike, Local, NaiveDate};
use domain::account::Permission;
use domain::api;
use domain::dictionary::DictionaryKind;
use domain::export::{ExportFormat, ExportKind};
use domain::help_request::HelpRequestStatus;
use domain::report::{
    Count, Dashboard, Period, PeriodProblem, ReportScope, ScopeQuery, REPORT_YEARS,
};
use domain::workflow::hours_text;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::forms::{LoadFailure, TextField};
use crate::components::words::{label, status_text};
use crate::device::{self, ApiFailure};
use crate::i18n::*;
use crate::state::use_app_state;

type I18n = leptos_i18n::I18nContext<Locale>;

fn month_name(i18n: I18n, month: u32) -> String {
    match month {
        1 => t_string!(i18n, month_1),
        2 => t_string!(i18n, month_2),
        3 => t_string!(i18n, month_3),
        4 => t_string!(i18n, month_4),
        5 => t_string!(i18n, month_5),
        6 => t_string!(i18n, month_6),
        7 => t_string!(i18n, month_7),
        8 => t_string!(i18n, month_8),
        9 => t_string!(i18n, month_9),
        10 => t_string!(i18n, month_10),
        11 => t_string!(i18n, month_11),
        _ => t_string!(i18n, month_12),
    }
    .to_string()
}

fn export_text(i18n: I18n, kind: ExportKind) -> String {
    match kind {
        ExportKind::Requests => t_string!(i18n, export_requests),
        ExportKind::Residents => t_string!(i18n, export_residents),
        ExportKind::Attendance => t_string!(i18n, export_attendance),
        ExportKind::VolunteerHours => t_string!(i18n, export_volunteer_hours),
        ExportKind::Statistics => t_string!(i18n, export_statistics),
    }
    .to_string()
}

/// The period typed in the form, or the message saying what is wrong with it.
fn typed_period(i18n: I18n, from: &str, to: &str) -> Result<Period, String> {
    let (Ok(from), Ok(to)) = (
        NaiveDate::parse_from_str(from, "%Y-%m-%d"),
        NaiveDate::parse_from_str(to, "%Y-%m-%d"),
    ) else {
        return Err(t_string!(i18n, reports_period_missing).to_string());
    };
    Period::new(from, to).map_err(|problem| match problem {
        PeriodProblem::EndsBeforeStart => t_string!(i18n, reports_period_reversed).to_string(),
        PeriodProblem::TooLong => t_string!(i18n, reports_period_too_long).to_string(),
        PeriodProblem::OutsideYears => t_string!(
            i18n,
            reports_period_outside_years,
            first = *REPORT_YEARS.start(),
            last = *REPORT_YEARS.end()
        )
        .to_string(),
    })
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app_state();
    let year = Local::now().year();
    let from = RwSignal::new(format!("{year}-01-01"));
    let to = RwSignal::new(format!("{year}-12-31"));
    let include_unapproved = RwSignal::new(false);
    let report = RwSignal::new(None::<Dashboard>);
    let failure = RwSignal::new(None::<ApiFailure>);
    let problem = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let load = move || {
        let period = match typed_period(i18n, &from.get_untracked(), &to.get_untracked()) {
            Ok(period) => period,
            Err(message) => {
                problem.set(Some(message));
                crate::components::forms::focus_first("#report-from");
                return;
            }
        };
        problem.set(None);
        loading.set(true);
        let query = ScopeQuery::from(ReportScope {
            period,
            include_unapproved: include_unapproved.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            match device::call::<api::ShowDashboard>(&[], &query).await {
                Ok(dashboard) => {
                    failure.set(None);
                    report.set(Some(dashboard));
                }
                Err(e) => failure.set(Some(e)),
            }
            loading.set(false);
        });
    };
    Effect::new(load);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        load();
    };
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    let exports = move || {
        let report = report.get()?;
        let query = ScopeQuery::from(report.scope);
        // A scope (two dates and a flag) always makes a query string.
        let download =
            move |file: &str| api::url::<api::DownloadExport>(&[&file], &query).unwrap_or_default();
        let coordinator = state.may(Permission::ExportResidents);
        let links = ExportKind::ALL
            .into_iter()
            .filter(|kind| *kind != ExportKind::Residents || coordinator)
            .map(|kind| {
                let formats: &[ExportFormat] = if kind == ExportKind::Statistics {
                    &[ExportFormat::Xlsx]
                } else {
                    &[ExportFormat::Xlsx, ExportFormat::Csv]
                };
                let links = formats
                    .iter()
                    .map(|format| {
                        let ext = format.extension();
                        let href = download(&format!("{}.{ext}", kind.as_str()));
                        view! {
                            <a class="button button--quiet" href=href download
                                data-testid=format!("export-{}-{ext}", kind.as_str())>
                                {ext.to_uppercase()}
                            </a>
                        }
                    })
                    .collect_view();
                view! {
                    <li class="export-list__item">
                        <span>{export_text(i18n, kind)}</span>
                        <span class="actions__buttons">{links}</span>
                    </li>
                }
            })
            .collect_view();
        let pack = download("evidence_pack.zip");
        Some(view! {
            <section class="report-section no-print" aria-labelledby="exports-title">
                <h2 id="exports-title">{t!(i18n, reports_exports)}</h2>
                <p class="field__hint">{t!(i18n, reports_exports_hint)}</p>
                <ul class="export-list">
                    {links}
                    <li class="export-list__item">
                        <span>{t!(i18n, export_evidence_pack)}</span>
                        <span class="actions__buttons">
                            <a class="button button--quiet" href=pack download data-testid="export-evidence_pack-zip">"ZIP"</a>
                        </span>
                    </li>
                </ul>
            </section>
        })
    };
    view! {
        <h1>{t!(i18n, reports_title)}</h1>
        <form class="form form--filters no-print" on:submit=on_submit novalidate>
            <TextField id="report-from" kind="date"
                label=Signal::derive(move || t_string!(i18n, reports_from).to_string()) value=from
                problem=Signal::derive(move || problem.get()) />
            <TextField id="report-to" kind="date"
                label=Signal::derive(move || t_string!(i18n, reports_to).to_string()) value=to />
            <label class="checkbox">
                <input id="report-unapproved" type="checkbox"
                    prop:checked=move || include_unapproved.get()
                    on:change=move |ev| include_unapproved.set(event_target_checked(&ev)) />
                {t!(i18n, reports_include_unapproved)}
            </label>
            <div class="form__actions">
                <button type="submit" class="button button--primary">{t!(i18n, reports_show)}</button>
                <button type="button" class="button button--quiet" on:click=print>{t!(i18n, reports_print)}</button>
            </div>
        </form>
        <LoadFailure failure retry=load />
        <p role="status" class="field__hint">
            {move || loading.get().then(|| t_string!(i18n, reports_loading).to_string())}
        </p>
        {move || report.get().map(|report| view! { <DashboardView report /> }.into_any())}
        {exports}
    }
}

#[component]
fn DashboardView(report: Dashboard) -> AnyView {
    let i18n = use_i18n();
    let period = report.scope.period;
    let awaiting = report.awaiting_review.clone();
    let awaiting_total = awaiting.help_requests
        + awaiting.attendance_lists
        + awaiting.photos
        + awaiting.meeting_notes;
    let tile = |testid: &'static str, caption: String, value: String| {
        view! {
            <div class="tile">
                <span class="tile__value" data-testid=testid>{value}</span>
                <span class="tile__caption">{caption}</span>
            </div>
        }
    };
    let dictionary_rows = |rows: &[Count], kind: DictionaryKind| -> Vec<(String, u32)> {
        rows.iter()
            .map(|c| {
                let text = if c.code.is_empty() {
                    t_string!(i18n, reports_not_given).to_string()
                } else {
                    label(i18n, kind, &c.code)
                };
                (text, c.count)
            })
            .collect()
    };
    let statuses: Vec<(String, u32)> = report
        .requests_by_status
        .iter()
        .map(|c| {
            let text = HelpRequestStatus::parse(&c.code)
                .map_or_else(|| c.code.clone(), |s| status_text(i18n, s));
            (text, c.count)
        })
        .collect();
    let months: Vec<(String, u32)> = report
        .by_month
        .iter()
        .map(|m| {
            (
                format!("{} {}", month_name(i18n, m.month.month()), m.month.year()),
                m.attendances,
            )
        })
        .collect();
    let month_rows = report
        .by_month
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{format!("{} {}", month_name(i18n, m.month.month()), m.month.year())}</th>
                    <td>{m.events}</td>
                    <td>{m.attendances}</td>
                    <td>{m.requests}</td>
                    <td>{hours_text(m.volunteer_minutes)}</td>
                </tr>
            }
        })
        .collect_view();
    let goal_rows = report
        .by_goal
        .iter()
        .map(|g| {
            view! {
                <tr data-testid=format!("goal-{}", g.goal)>
                    <th scope="row">{label(i18n, DictionaryKind::PlanGoal, &g.goal)}</th>
                    <td>{g.events}</td>
                    <td>{g.attendances}</td>
                    <td>{g.unique_residents}</td>
                </tr>
            }
        })
        .collect_view();
    let volunteer_rows = report
        .volunteers
        .iter()
        .map(|v| {
            view! {
                <tr>
                    <th scope="row">{v.volunteer.name.clone()}</th>
                    <td>{hours_text(v.minutes)}</td>
                    <td>{v.requests}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="report-period">
            {t!(i18n, reports_period_shown, from = period.from.format("%d.%m.%Y").to_string(), to = period.to.format("%d.%m.%Y").to_string())}
            {report.scope.include_unapproved.then(|| view! { " " <strong>{t!(i18n, reports_unapproved_note)}</strong> })}
            // Zeros beside events full of people would read as a fault: say what is left out, and how much.
            {(!report.scope.include_unapproved && awaiting_total > 0).then(|| view! {
                " " <strong data-testid="report-unapproved-excluded">
                    {t!(i18n, reports_unapproved_excluded, count = awaiting_total)}
                </strong>
            })}
        </p>
        <div class="tiles">
            {tile("report-events", t_string!(i18n, reports_events).to_string(), report.events.to_string())}
            {tile("report-notes", t_string!(i18n, reports_notes).to_string(), report.meeting_notes.to_string())}
            {tile("report-attendances", t_string!(i18n, reports_attendances).to_string(), report.attendances.to_string())}
            {tile("report-unique", t_string!(i18n, reports_unique).to_string(), report.unique_residents.to_string())}
            {tile("report-requests", t_string!(i18n, reports_requests).to_string(), report.requests.to_string())}
            {tile("report-hours", t_string!(i18n, reports_hours).to_string(), hours_text(report.volunteer_minutes))}
            {tile("report-awaiting", t_string!(i18n, reports_awaiting).to_string(), awaiting_total.to_string())}
        </div>
        <p class="field__hint">
            {t!(i18n, reports_awaiting_detail, requests = awaiting.help_requests, lists = awaiting.attendance_lists, photos = awaiting.photos, notes = awaiting.meeting_notes)}
        </p>
        <BarChart id="chart-months" title=t_string!(i18n, reports_attendance_by_month).to_string() rows=months />
        <section class="report-section" aria-labelledby="months-title">
            <h2 id="months-title">{t!(i18n, reports_by_month)}</h2>
            // Focusable, so keyboard users can scroll it sideways on a narrow screen.
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="months-title">
                <table class="table table--report">
                    <thead><tr>
                        <th scope="col">{t!(i18n, reports_col_month)}</th>
                        <th scope="col">{t!(i18n, reports_events)}</th>
                        <th scope="col">{t!(i18n, reports_attendances)}</th>
                        <th scope="col">{t!(i18n, reports_requests)}</th>
                        <th scope="col">{t!(i18n, reports_hours)}</th>
                    </tr></thead>
                    <tbody>{month_rows}</tbody>
                </table>
            </div>
        </section>
        <section class="report-section" aria-labelledby="goals-title">
            <h2 id="goals-title">{t!(i18n, reports_by_goal)}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="goals-title">
                <table class="table table--report" data-testid="report-goals">
                    <thead><tr>
                        <th scope="col">{t!(i18n, reports_col_goal)}</th>
                        <th scope="col">{t!(i18n, reports_events)}</th>
                        <th scope="col">{t!(i18n, reports_attendances)}</th>
                        <th scope="col">{t!(i18n, reports_unique)}</th>
                    </tr></thead>
                    <tbody>{goal_rows}</tbody>
                </table>
            </div>
        </section>
        <BarChart id="chart-status" title=t_string!(i18n, reports_by_status).to_string() rows=statuses />
        <BarChart id="chart-category" title=t_string!(i18n, reports_by_category).to_string()
            rows=dictionary_rows(&report.requests_by_category, DictionaryKind::HelpCategory) />
        <BarChart id="chart-district" title=t_string!(i18n, reports_by_district).to_string()
            rows=dictionary_rows(&report.requests_by_district, DictionaryKind::District) />
        <BarChart id="chart-group" title=t_string!(i18n, reports_by_group).to_string()
            rows=dictionary_rows(&report.requests_by_target_group, DictionaryKind::TargetGroup) />
        <section class="report-section" aria-labelledby="volunteers-title">
            <h2 id="volunteers-title">{t!(i18n, reports_volunteers)}</h2>
            {if report.volunteers.is_empty() {
                view! { <p>{t!(i18n, reports_no_hours)}</p> }.into_any()
            } else {
                view! {
                    <table class="table table--report">
                        <thead><tr>
                            <th scope="col">{t!(i18n, reports_col_volunteer)}</th>
                            <th scope="col">{t!(i18n, reports_hours)}</th>
                            <th scope="col">{t!(i18n, reports_requests)}</th>
                        </tr></thead>
                        <tbody>{volunteer_rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// Horizontal bars as a table: the label and the number are text (screen readers, print, zoom), the
/// bar is a decorative SVG scaled to the largest value.
#[component]
fn BarChart(id: &'static str, title: String, rows: Vec<(String, u32)>) -> AnyView {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let body = rows
        .into_iter()
        .map(|(text, count)| {
            let width = f64::from(count) / f64::from(max) * 100.0;
            view! {
                <tr>
                    <th scope="row">{text}</th>
                    <td class="bar-chart__bar">
                        <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                            <rect x="0" y="0" height="10" width=format!("{width:.2}") />
                        </svg>
                    </td>
                    <td class="bar-chart__value">{count}</td>
                </tr>
            }
        })
        .collect_view();
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="report-section" aria-labelledby=labelled_by>
            <h2 id=title_id>{title}</h2>
            <table class="bar-chart" data-testid=id>
                <tbody>{body}</tbody>
            </table>
        </section>
    }
    .into_any()
}
