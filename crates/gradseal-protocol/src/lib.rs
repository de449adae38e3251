//! # gradseal-protocol
//!
//! Sans-IO state machines for a verifiable encrypted federated-learning round.
//! (Under construction.)

#![forbid(unsafe_code)]
#![warn(missing_docs)]
