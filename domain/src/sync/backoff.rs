//! When to retry a failed sync: capped exponential backoff, so a dead network is not hammered and a
//! returning one is noticed within a minute.

pub const BASE_DELAY_MS: u64 = 1_000;
pub const MAX_DELAY_MS: u64 = 60_000;

/// Delay before the next attempt after `failures` failed attempts in a row (at least 1). `jitter` in [0, 1)
/// spreads devices that lost the network together, taking up to half the delay off.
pub fn retry_delay_ms(failures: u32, jitter: f64) -> u64 {
    let exponent = failures.saturating_sub(1).min(16);
    let delay = BASE_DELAY_MS
        .saturating_mul(1 << exponent)
        .min(MAX_DELAY_MS);
    let jitter = jitter.clamp(0.0, 1.0);
    delay - (delay as f64 * jitter / 2.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_one_second() {
        let delays: Vec<_> = (1..=4).map(|n| retry_delay_ms(n, 0.0)).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000]);
    }

    #[test]
    fn delays_stop_growing_at_a_minute() {
        assert_eq!(retry_delay_ms(7, 0.0), MAX_DELAY_MS);
        assert_eq!(retry_delay_ms(u32::MAX, 0.0), MAX_DELAY_MS);
    }

    #[test]
    fn jitter_takes_at_most_half_off() {
        assert_eq!(retry_delay_ms(3, 0.5), 3_000);
        assert_eq!(retry_delay_ms(1, 7.0), 500);
    }
}
