//! docs/cluster.md shows the Slurm job-array script that users copy; it must be the file that
//! tests/cluster/slurm.sh submits to a real Slurm in CI, not a copy that drifts from it.

use std::fs;
use std::path::Path;

#[test]
fn the_slurm_script_in_the_docs_is_the_tested_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = fs::read_to_string(root.join("workflow/slurm/alsim-array.sbatch")).unwrap();
    let doc = fs::read_to_string(root.join("docs/cluster.md")).unwrap();
    assert!(
        doc.contains(&format!("```bash\n{script}```\n")),
        "docs/cluster.md must show workflow/slurm/alsim-array.sbatch exactly as it is: paste the \
         file into the code block of its \"Slurm job array\" section"
    );
}
