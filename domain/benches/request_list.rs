//! How long the requests page takes to filter, search and sort 5,000 requests on the device.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion};
use domain::help_request::{HelpRequest, HelpRequestFields, HelpRequestStatus, Person, Urgency};
use domain::request_list::{filter_requests, RequestFilter, SortOrder};
use uuid::Uuid;

const DISTRICTS: [&str; 8] = [
    "gospodarska",
    "inzynierska",
    "jedwabnik",
    "krolewska",
    "okolna",
    "wojska_polskiego",
    "berliny",
    "tbs",
];
const CATEGORIES: [&str; 8] = [
    "shopping",
    "transport",
    "companionship",
    "respite_care",
    "equipment_loan",
    "paperwork",
    "small_repairs",
    "other",
];
const NAMES: [&str; 6] = [
    "Łukasz Żółkowski",
    "Anna Kowalska",
    "Zofia Wiśniewska",
    "Jan Nowak",
    "Grażyna Dąbrowska",
    "Piotr Lewandowski",
];

fn requests(count: usize) -> (Vec<HelpRequest>, HashMap<Uuid, Vec<String>>) {
    let mut groups = HashMap::new();
    let requests = (0..count)
        .map(|i| {
            let resident = Uuid::from_u128(1_000_000 + (i % 900) as u128);
            groups.insert(
                resident,
                vec![if i % 3 == 0 { "seniors" } else { "youth" }.to_owned()],
            );
            let mut request = HelpRequest::recorded(
                Uuid::from_u128(i as u128),
                HelpRequestFields {
                    resident_name: format!("{} {i}", NAMES[i % NAMES.len()]),
                    resident_id: Some(resident),
                    district: DISTRICTS[i % DISTRICTS.len()].into(),
                    category: CATEGORIES[(i / 3) % CATEGORIES.len()].into(),
                    description:
                        "Zakupy w piątek: chleb, mleko, leki z apteki przy ul. Królewskiej; \
                                  proszę zadzwonić domofonem dwa razy."
                            .into(),
                    urgency: [Urgency::Low, Urgency::Normal, Urgency::Urgent][i % 3],
                    needed_by: NaiveDate::from_ymd_opt(
                        2026,
                        1 + (i % 12) as u32,
                        1 + (i % 28) as u32,
                    ),
                    place: String::new(),
                },
                Person {
                    id: Uuid::from_u128(7),
                    name: "Wolontariusz".into(),
                },
                DateTime::UNIX_EPOCH + Duration::minutes(i as i64),
            );
            request.status = HelpRequestStatus::ALL[i % HelpRequestStatus::ALL.len()];
            request
        })
        .collect();
    (requests, groups)
}

fn bench(c: &mut Criterion) {
    let (requests, groups) = requests(5_000);
    let cases = [
        ("5000/all_newest", RequestFilter::default()),
        (
            "5000/status_district_category",
            RequestFilter {
                status: Some(HelpRequestStatus::AwaitingApproval),
                district: "okolna".into(),
                category: "shopping".into(),
                ..Default::default()
            },
        ),
        (
            "5000/target_group_by_urgency",
            RequestFilter {
                target_group: "seniors".into(),
                sort: SortOrder::Urgency,
                ..Default::default()
            },
        ),
        (
            "5000/search_lukasz",
            RequestFilter {
                search: "lukasz".into(),
                ..Default::default()
            },
        ),
    ];
    for (name, filter) in cases {
        c.bench_function(name, |b| {
            b.iter(|| filter_requests(&requests, &filter, &groups).len())
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
