//! The app lock of a person's device and of a kiosk tablet (issue 20): what the device's data is sealed under, how a PIN
//! unlocks it, how wrong PINs are slowed down, and when an idle app locks itself. The device applies these
//! rules; the coordinator sets the idle period on the server.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A PIN's length, in digits: short enough to type at a resident's door, long enough not to be guessed
/// in the tries it gets ([`PinAttempts`]).
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

/// After this many wrong PINs in a row the PIN no longer opens the data: only an online sign-in with the
/// password does (the device forgets what the PIN unlocks).
pub const MAX_PIN_FAILURES: u32 = 10;

/// Wrong PINs that cost nothing but the retyping.
const FREE_FAILURES: u32 = 3;

/// PBKDF2-HMAC-SHA256 rounds that turn a PIN into the key that unwraps the data key (OWASP's figure for
/// this function). The cost is paid at every unlock; `make bench` reports it on a slowed-down CPU.
pub const PIN_KEY_ROUNDS: u32 = 600_000;

/// Why a PIN is refused when it is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinProblem {
    /// Not 4–8 digits.
    Length,
    /// Something other than the digits 0–9.
    NotDigits,
    /// One digit repeated, or a run up or down (`1111`, `1234`, `9876`): the first ones a finder tries.
    Guessable,
    /// The repetition differs from the first.
    Mismatch,
}

/// A PIN the person chose, typed twice.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(…)")
    }
}

impl Pin {
    pub fn choose(pin: &str, repeated: &str) -> Result<Pin, PinProblem> {
        let pin = pin.trim();
        if !pin.chars().all(|c| c.is_ascii_digit()) {
            return Err(PinProblem::NotDigits);
        }
        if !PIN_DIGITS.contains(&pin.len()) {
            return Err(PinProblem::Length);
        }
        let digits: Vec<i8> = pin.bytes().map(|b| (b - b'0') as i8).collect();
        let steps: Vec<i8> = digits.windows(2).map(|w| w[1] - w[0]).collect();
        if steps.iter().all(|&s| s == steps[0]) && matches!(steps[0], -1..=1) {
            return Err(PinProblem::Guessable);
        }
        if repeated.trim() != pin {
            return Err(PinProblem::Mismatch);
        }
        Ok(Pin(pin.to_owned()))
    }

    /// What is typed at unlock, as the key derivation takes it.
    pub fn typed(typed: &str) -> &str {
        typed.trim()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The wrong PINs typed since the last unlock: kept with the sealed key, so closing the tab does not
/// reset them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinAttempts {
    pub failures: u32,
    pub last_failure_at: Option<DateTime<Utc>>,
}

/// What happens after a wrong PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterWrongPin {
    /// Another try is allowed now, and `left` before the PIN stops working.
    TryAgain { left: u32 },
    /// Another try only after `until`; `left` tries remain.
    Wait { until: DateTime<Utc>, left: u32 },
    /// The PIN no longer opens the data: sign in with the password.
    PasswordNeeded,
}

impl PinAttempts {
    /// How long the next try must wait after `failures` wrong PINs: nothing for the first three, then
    /// 30 seconds doubling, at most a quarter of an hour.
    pub fn pause(failures: u32) -> Duration {
        match failures.checked_sub(FREE_FAILURES + 1) {
            None => Duration::ZERO,
            Some(extra) => Duration::from_secs((30u64 << extra.min(5)).min(15 * 60)),
        }
    }

    /// When the next try may be made, if it must wait.
    pub fn wait_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let pause = Self::pause(self.failures);
        let until = self.last_failure_at? + pause;
        // A clock set back never makes the wait longer than the pause itself.
        let left = (until - now).to_std().ok()?;
        (!left.is_zero() && left <= pause).then_some(until)
    }

    pub fn password_needed(&self) -> bool {
        self.failures >= MAX_PIN_FAILURES
    }

    /// Tries left before the PIN stops working.
    pub fn left(&self) -> u32 {
        MAX_PIN_FAILURES.saturating_sub(self.failures)
    }

    /// Notes a wrong PIN at `now`.
    pub fn failed(&mut self, now: DateTime<Utc>) -> AfterWrongPin {
        self.failures += 1;
        self.last_failure_at = Some(now);
        let left = self.left();
        match (self.password_needed(), self.wait_until(now)) {
            (true, _) => AfterWrongPin::PasswordNeeded,
            (false, Some(until)) => AfterWrongPin::Wait { until, left },
            (false, None) => AfterWrongPin::TryAgain { left },
        }
    }
}

/// After how long without a touch or a key the app locks itself; the coordinator sets it for all phones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockAfter {
    pub minutes: u32,
}

impl LockAfter {
    pub const DEFAULT: u32 = 5;
    /// An hour: longer, a phone left on a bench stays open too long.
    pub const MAX: u32 = 60;

    /// `None` outside 1–[`Self::MAX`] minutes.
    pub fn new(minutes: u32) -> Option<Self> {
        (1..=Self::MAX)
            .contains(&minutes)
            .then_some(Self { minutes })
    }

    pub fn period(self) -> Duration {
        Duration::from_secs(u64::from(self.minutes) * 60)
    }

    /// Whether an app last used at `last_used` is due to lock at `now` (a clock set back never locks it).
    pub fn due(self, last_used: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        (now - last_used)
            .to_std()
            .is_ok_and(|idle| idle >= self.period())
    }
}

impl Default for LockAfter {
    fn default() -> Self {
        Self {
            minutes: Self::DEFAULT,
        }
    }
}

/// The secret the server keeps for one person on one device and gives that device only in the answer to
/// a sign-in with the password: the data key is also sealed under it, so a forgotten PIN costs nothing
/// but an online sign-in. Hex, 32 bytes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockKey(pub String);

impl std::fmt::Debug for UnlockKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnlockKey(…)")
    }
}

/// What a kiosk tablet gets in the answer to its enrolment code, and never again: its unlock key for this
/// event on this device, and the exit PIN in clear, under which the tablet seals its data key so staff can
/// open it again offline after a reload. The tablet keeps neither.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskUnlock {
    pub key: UnlockKey,
    pub exit_pin: String,
}

impl std::fmt::Debug for KioskUnlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KioskUnlock(…)")
    }
}

impl UnlockKey {
    pub fn bytes(&self) -> Option<[u8; 32]> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(&self.0, &mut out).ok()?;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn a_pin_is_four_to_eight_digits_not_the_first_a_finder_tries_and_typed_the_same_twice() {
        assert_eq!(Pin::choose("2580", "2580").unwrap().as_str(), "2580");
        assert_eq!(
            Pin::choose(" 49137206 ", "49137206").unwrap().as_str(),
            "49137206"
        );
        assert_eq!(Pin::choose("258", "258"), Err(PinProblem::Length));
        assert_eq!(
            Pin::choose("258012345", "258012345"),
            Err(PinProblem::Length)
        );
        assert_eq!(Pin::choose("25a0", "25a0"), Err(PinProblem::NotDigits));
        assert_eq!(Pin::choose("", ""), Err(PinProblem::Length));
        for guessable in ["0000", "1234", "98765", "3456789", "777777"] {
            assert_eq!(
                Pin::choose(guessable, guessable),
                Err(PinProblem::Guessable),
                "{guessable}"
            );
        }
        // Steps of two are not a run a finder starts with.
        assert!(Pin::choose("1357", "1357").is_ok());
        assert_eq!(Pin::choose("2580", "2581"), Err(PinProblem::Mismatch));
        assert!(!format!("{:?}", Pin::choose("2580", "2580").unwrap()).contains("2580"));
    }

    #[test]
    fn wrong_pins_cost_nothing_three_times_then_a_doubling_wait_and_after_ten_the_password() {
        let mut attempts = PinAttempts::default();
        for n in 1..=3 {
            assert_eq!(
                attempts.failed(at(n)),
                AfterWrongPin::TryAgain {
                    left: MAX_PIN_FAILURES - n as u32
                }
            );
            assert_eq!(attempts.wait_until(at(n)), None);
        }
        assert_eq!(
            attempts.failed(at(10)),
            AfterWrongPin::Wait {
                until: at(40),
                left: 6
            }
        );
        assert_eq!(attempts.wait_until(at(39)), Some(at(40)));
        assert_eq!(attempts.wait_until(at(40)), None);
        assert_eq!(
            attempts.failed(at(50)),
            AfterWrongPin::Wait {
                until: at(110),
                left: 5
            }
        );
        let waits: Vec<u64> = (4..=MAX_PIN_FAILURES)
            .map(|n| PinAttempts::pause(n).as_secs())
            .collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 900, 900]);
        for n in 6..MAX_PIN_FAILURES {
            assert!(matches!(
                attempts.failed(at(10_000 * i64::from(n))),
                AfterWrongPin::Wait { .. }
            ));
        }
        assert_eq!(attempts.failed(at(200_000)), AfterWrongPin::PasswordNeeded);
        assert!(attempts.password_needed());
    }

    #[test]
    fn a_clock_set_back_does_not_lengthen_the_wait() {
        let attempts = PinAttempts {
            failures: 4,
            last_failure_at: Some(at(1_000)),
        };
        // The device's clock jumped back a day: the wait is no longer than its pause.
        assert_eq!(attempts.wait_until(at(1_000 - 86_400)), None);
        assert_eq!(attempts.wait_until(at(1_010)), Some(at(1_030)));
    }

    #[test]
    fn an_idle_app_locks_after_the_coordinators_period_and_never_because_the_clock_went_back() {
        assert_eq!(LockAfter::default().minutes, 5);
        assert_eq!(LockAfter::new(0), None);
        assert_eq!(LockAfter::new(61), None);
        let lock = LockAfter::new(2).unwrap();
        assert!(!lock.due(at(0), at(119)));
        assert!(lock.due(at(0), at(120)));
        assert!(!lock.due(at(0), at(-3_600)));
    }

    #[test]
    fn an_unlock_key_is_32_bytes_of_hex_and_never_printed() {
        let key = UnlockKey("ab".repeat(32));
        assert_eq!(key.bytes(), Some([0xab; 32]));
        assert_eq!(UnlockKey("ab".into()).bytes(), None);
        assert!(!format!("{key:?}").contains("abab"));
    }
}
