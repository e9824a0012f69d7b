//! Lists of help requests on the device: filters, search and sort over the local copy, and the review
//! queue. Pure functions over slices, so they are measured natively (`cargo bench -p domain`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::help_request::{HelpRequest, HelpRequestStatus};
use crate::resident::{fold, matches_query};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Newest,
    Oldest,
    /// Soonest needed-by date first; requests without one last.
    NeededBy,
    /// Urgent first, then newest.
    Urgency,
}

impl SortOrder {
    pub const ALL: [SortOrder; 4] = [
        SortOrder::Newest,
        SortOrder::Oldest,
        SortOrder::NeededBy,
        SortOrder::Urgency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Newest => "newest",
            SortOrder::Oldest => "oldest",
            SortOrder::NeededBy => "needed_by",
            SortOrder::Urgency => "urgency",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What the person chose above the list; empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub status: Option<HelpRequestStatus>,
    pub category: String,
    pub district: String,
    pub target_group: String,
    /// Only requests this person is assigned to.
    pub assigned_to: Option<Uuid>,
    pub search: String,
    pub sort: SortOrder,
}

impl RequestFilter {
    /// How many conditions narrow the list (the order does not): shown while the filters are folded.
    pub fn active_count(&self) -> usize {
        [
            self.status.is_some(),
            !self.category.is_empty(),
            !self.district.is_empty(),
            !self.target_group.is_empty(),
            self.assigned_to.is_some(),
            !self.search.trim().is_empty(),
        ]
        .into_iter()
        .filter(|active| *active)
        .count()
    }
}

/// Requests matching `filter`, in its order. `target_groups` maps a resident to their target groups.
pub fn filter_requests<'a, T: AsRef<HelpRequest>>(
    items: &'a [T],
    filter: &RequestFilter,
    target_groups: &HashMap<Uuid, Vec<String>>,
) -> Vec<&'a T> {
    let query = fold(filter.search.trim());
    let mut found: Vec<(&HelpRequest, &T)> = items
        .iter()
        .map(|item| (item.as_ref(), item))
        .filter(|(r, _)| filter.status.is_none_or(|s| r.status == s))
        .filter(|(r, _)| filter.category.is_empty() || r.fields.category == filter.category)
        .filter(|(r, _)| filter.district.is_empty() || r.fields.district == filter.district)
        .filter(|(r, _)| filter.assigned_to.is_none_or(|p| r.is_assigned_to(p)))
        .filter(|(r, _)| {
            filter.target_group.is_empty()
                || r.fields
                    .resident_id
                    .and_then(|id| target_groups.get(&id))
                    .is_some_and(|groups| groups.contains(&filter.target_group))
        })
        .filter(|(r, _)| {
            query.is_empty()
                || matches_query(
                    &fold(&format!(
                        "{} {} {}",
                        r.fields.resident_name, r.fields.description, r.fields.place
                    )),
                    &query,
                )
        })
        .collect();
    sort(&mut found, filter.sort);
    found.into_iter().map(|(_, item)| item).collect()
}

impl AsRef<HelpRequest> for HelpRequest {
    fn as_ref(&self) -> &HelpRequest {
        self
    }
}

fn sort<T>(requests: &mut [(&HelpRequest, &T)], order: SortOrder) {
    let newest =
        |a: &HelpRequest, b: &HelpRequest| b.recorded_at.cmp(&a.recorded_at).then(b.id.cmp(&a.id));
    match order {
        SortOrder::Newest => requests.sort_by(|(a, _), (b, _)| newest(a, b)),
        SortOrder::Oldest => requests.sort_by(|(a, _), (b, _)| newest(b, a)),
        SortOrder::NeededBy => requests.sort_by(|(a, _), (b, _)| {
            match (a.fields.needed_by, b.fields.needed_by) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then_with(|| newest(a, b))
        }),
        SortOrder::Urgency => requests.sort_by(|(a, _), (b, _)| {
            b.fields
                .urgency
                .cmp(&a.fields.urgency)
                .then_with(|| newest(a, b))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::help_request::{Assignee, HelpRequestFields, Person, Urgency};
    use chrono::{DateTime, Duration, NaiveDate};

    fn request(n: u128, name: &str, district: &str, status: HelpRequestStatus) -> HelpRequest {
        let mut request = HelpRequest::recorded(
            Uuid::from_u128(n),
            HelpRequestFields {
                resident_name: name.into(),
                resident_id: Some(Uuid::from_u128(100 + n)),
                district: district.into(),
                category: "shopping".into(),
                description: "Zakupy".into(),
                ..Default::default()
            },
            Person {
                id: Uuid::from_u128(9),
                name: "W".into(),
            },
            DateTime::UNIX_EPOCH + Duration::minutes(n as i64),
        );
        request.status = status;
        request
    }

    fn ids(found: Vec<&HelpRequest>) -> Vec<u128> {
        found.iter().map(|r| r.id.as_u128()).collect()
    }

    #[test]
    fn filters_combine_and_search_ignores_diacritics() {
        let mut requests = vec![
            request(
                1,
                "Łukasz Nowak",
                "okolna",
                HelpRequestStatus::AwaitingApproval,
            ),
            request(2, "Anna Kowalska", "okolna", HelpRequestStatus::Approved),
            request(
                3,
                "Lukasz Zięba",
                "tbs",
                HelpRequestStatus::AwaitingApproval,
            ),
        ];
        requests[1].assignees.push(Assignee {
            volunteer: Person {
                id: Uuid::from_u128(5),
                name: "V".into(),
            },
            accepted: true,
        });
        let groups = HashMap::from([(Uuid::from_u128(102), vec!["seniors".to_owned()])]);
        let filter = |f: RequestFilter| ids(filter_requests(&requests, &f, &groups));
        assert_eq!(filter(RequestFilter::default()), [3, 2, 1]);
        assert_eq!(
            filter(RequestFilter {
                search: "łukasz".into(),
                sort: SortOrder::Oldest,
                ..Default::default()
            }),
            [1, 3]
        );
        assert_eq!(
            filter(RequestFilter {
                status: Some(HelpRequestStatus::AwaitingApproval),
                district: "okolna".into(),
                ..Default::default()
            }),
            [1]
        );
        assert_eq!(
            filter(RequestFilter {
                assigned_to: Some(Uuid::from_u128(5)),
                ..Default::default()
            }),
            [2]
        );
        assert_eq!(
            filter(RequestFilter {
                target_group: "seniors".into(),
                ..Default::default()
            }),
            [2]
        );
    }

    #[test]
    fn sorting_by_need_and_urgency() {
        let mut requests = vec![
            request(1, "a", "okolna", HelpRequestStatus::Approved),
            request(2, "b", "okolna", HelpRequestStatus::Approved),
            request(3, "c", "okolna", HelpRequestStatus::Approved),
        ];
        requests[0].fields.needed_by = NaiveDate::from_ymd_opt(2026, 12, 1);
        requests[2].fields.needed_by = NaiveDate::from_ymd_opt(2026, 11, 30);
        requests[1].fields.urgency = Urgency::Urgent;
        requests[2].fields.urgency = Urgency::Low;
        let sorted = |sort| {
            ids(filter_requests(
                &requests,
                &RequestFilter {
                    sort,
                    ..Default::default()
                },
                &HashMap::new(),
            ))
        };
        assert_eq!(sorted(SortOrder::NeededBy), [3, 1, 2]);
        assert_eq!(sorted(SortOrder::Urgency), [2, 1, 3]);
    }

    #[test]
    fn the_active_filters_are_counted_and_the_order_is_not_one() {
        let mut filter = RequestFilter {
            sort: SortOrder::Urgency,
            search: "  ".into(),
            ..Default::default()
        };
        assert_eq!(filter.active_count(), 0);
        filter.status = Some(HelpRequestStatus::Approved);
        filter.district = "okolna".into();
        filter.search = "Nowak".into();
        filter.assigned_to = Some(Uuid::from_u128(1));
        assert_eq!(filter.active_count(), 4);
    }
}
