//! Placeholder being written: parameters of the transport mechanism.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Parameters of the transport mechanism.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransportParams {}

impl TransportParams {
    pub(crate) fn check(&self, _c: &mut Checker) {}
}
