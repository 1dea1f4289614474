//! Any bytes as a scenario file: parsing, validation, the sweep grid and the footprint must
//! return errors, never panic, hang or exhaust memory; a valid scenario written out as resolved
//! RON (as run folders and checkpoints store it) must read back to the same scenario.

#![no_main]

use alsim_scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = Scenario::from_ron_str(text, "fuzz.ron") else {
        return;
    };
    if scenario.sweep_points("fuzz.ron").is_ok() {
        let _ = scenario.footprint();
        let written = scenario.to_ron_string();
        let again = Scenario::from_ron_str(&written, "resolved.ron")
            .unwrap_or_else(|e| panic!("resolved scenario does not parse: {e}\n{written}"));
        assert_eq!(again, scenario, "resolved scenario reads back differently");
    }
});
