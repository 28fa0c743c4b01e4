use std::time::Duration;

use super::*;

#[test]
fn block_on_runs_the_future_and_the_clock_starts_at_now() {
    assert_eq!(block_on(async { 7 }), 7);
    assert_eq!(jose_core::Clock::unix_seconds(&*clock()), NOW as i64);
}

#[test]
fn clocked_issuer_keeps_the_builder_configuration() {
    let mut builder = DevIssuer::builder();
    builder.audience("https://other.example");
    let fixture = block_on(ClockedIssuer::start_with(&builder)).unwrap();
    assert_eq!(fixture.issuer().audience(), "https://other.example");
    assert_eq!(fixture.issuer().now(), NOW as i64);
    let (issuer, clock) = fixture.into_parts();
    clock.advance(Duration::from_secs(5));
    assert_eq!(issuer.now(), NOW as i64 + 5);
}
