//! The `alsim` binary; everything it does lives in `alsim-cli`.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    alsim_cli::main()
}
