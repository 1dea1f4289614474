//! Placeholder being written: parameters of the motor_units mechanism.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Parameters of the motor_units mechanism.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MotorUnitParams {}

impl MotorUnitParams {
    pub(crate) fn check(&self, _c: &mut Checker) {}
}
