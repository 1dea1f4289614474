//! Placeholder being written: parameters of the aggregation mechanism.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Parameters of the aggregation mechanism.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AggregationParams {}

impl AggregationParams {
    pub(crate) fn check(&self, _c: &mut Checker) {}
}
