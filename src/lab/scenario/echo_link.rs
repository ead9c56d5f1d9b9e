//! `echo-link`: the lecture's echo between two hosts 80 ms apart. `connect()` blocks one round
//! trip (lecture: "connect()가 return되기까지 RTT가 소요된다"), `send()` returns long before the
//! server has the bytes, and the reply comes one round trip after the send.

use std::time::Duration;

use crate::lab::link::LinkSpec;

use super::Scenario;

pub const SCENARIO: Scenario = Scenario {
    name: "echo-link",
    summary_key: crate::key!("lab.echo_link.summary"),
    run: super::echo::run,
    link: Some(LinkSpec {
        delay: Duration::from_millis(40),
        ..LinkSpec::IDEAL
    }),
};
