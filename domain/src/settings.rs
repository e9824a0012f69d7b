//! What a coordinator sets on the server as one whole number, each declared once: where the server keeps
//! it, the numbers it takes, and the audit action its change writes. The server's endpoints, its storage
//! and the settings page follow from these.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::app_lock::LockAfter;
use crate::audit::AuditAction;
use crate::need_to_know::ClosedRequestDays;

pub trait NumberSetting:
    Copy + Default + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// Its key in the server's `setting` table.
    const KEY: &'static str;
    /// The error code of a number out of range.
    const INVALID: &'static str;
    const MIN: u32;
    const MAX: u32;
    const CHANGED: AuditAction;
    fn number(self) -> u32;
    /// `None` outside `MIN..=MAX`.
    fn new(number: u32) -> Option<Self>;
}

impl NumberSetting for ClosedRequestDays {
    const KEY: &'static str = "closed_request_days";
    const INVALID: &'static str = "invalid_closed_request_days";
    const MIN: u32 = 0;
    const MAX: u32 = ClosedRequestDays::MAX;
    const CHANGED: AuditAction = AuditAction::ClosedRequestDaysChanged;
    fn number(self) -> u32 {
        self.days
    }
    fn new(number: u32) -> Option<Self> {
        ClosedRequestDays::new(number)
    }
}

impl NumberSetting for LockAfter {
    const KEY: &'static str = "lock_after_minutes";
    const INVALID: &'static str = "invalid_lock_after";
    const MIN: u32 = 1;
    const MAX: u32 = LockAfter::MAX;
    const CHANGED: AuditAction = AuditAction::LockAfterChanged;
    fn number(self) -> u32 {
        self.minutes
    }
    fn new(number: u32) -> Option<Self> {
        LockAfter::new(number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holds_its_range<S: NumberSetting>() {
        assert_eq!(S::new(S::MIN).map(S::number), Some(S::MIN));
        assert_eq!(S::new(S::MAX).map(S::number), Some(S::MAX));
        assert!(S::new(S::MAX + 1).is_none());
        assert!(S::MIN == 0 || S::new(S::MIN - 1).is_none());
        let default = S::default().number();
        assert!((S::MIN..=S::MAX).contains(&default));
    }

    #[test]
    fn each_setting_takes_exactly_its_range_and_its_default_is_in_it() {
        holds_its_range::<ClosedRequestDays>();
        holds_its_range::<LockAfter>();
        assert_ne!(ClosedRequestDays::KEY, LockAfter::KEY);
    }
}
