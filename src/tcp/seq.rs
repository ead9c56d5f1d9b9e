//! Wrapping sequence-number arithmetic (RFC 9293 §3.4). (Skeleton.)
