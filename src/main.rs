//! The `alsim` binary; everything it does lives in `alsim-cli`.

fn main() -> std::process::ExitCode {
    alsim_cli::main()
}
