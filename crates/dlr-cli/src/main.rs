//! `dlr`: the dlradiomics command-line tool. Each subcommand parses its arguments and calls a
//! library crate; no numeric work lives here.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Deep learning radiomics workbench for medical images, ultrasound first.
#[derive(Parser, Debug)]
#[command(name = "dlr", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a study manifest (and clinical table) and list every problem found.
    Validate,
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Validate => anyhow::bail!("`dlr validate` is not built yet"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
