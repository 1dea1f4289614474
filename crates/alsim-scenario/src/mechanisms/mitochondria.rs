//! Placeholder being written: parameters of the mitochondria mechanism.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Parameters of the mitochondria mechanism.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MitochondriaParams {}

impl MitochondriaParams {
    pub(crate) fn check(&self, _c: &mut Checker) {}
}
