//! Prints what the reader makes of a file: the plan, then every record.
//!
//! `cargo run -p fc-import --example inspect -- FILE [ZONE] [MAPPING.toml]`

use std::path::Path;

use fc_import::{ImportOptions, Mapping, Tally, open};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: inspect FILE [ZONE] [MAPPING.toml]");
        std::process::exit(2);
    };
    let mut opts = ImportOptions::default();
    if let Some(z) = args.get(1) {
        match z.parse() {
            Ok(tz) => opts.time_zone = tz,
            Err(_) => eprintln!("unknown zone {z}, using UTC"),
        }
    }
    if let Some(m) = args.get(2) {
        match Mapping::from_path(Path::new(m)) {
            Ok(m) => opts.mapping = Some(m),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let mut reader = match open(Path::new(file), &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let plan = reader.plan();
    println!(
        "format {:?} kind {:?} header line {} canonical {}",
        plan.format, plan.kind, plan.header_line, plan.canonical
    );
    for c in &plan.columns {
        println!(
            "  [{}] {:?} -> {} unit {:?} decimal {:?} order {:?}",
            c.index,
            c.header,
            c.target.name(),
            c.unit,
            c.decimal,
            c.date_order
        );
    }
    for n in &plan.notes {
        println!("  note {n:?}");
    }
    let mut tally = Tally::default();
    loop {
        match reader.next_record() {
            Ok(Some(r)) => {
                tally.add(&r);
                println!("{r:?}");
            }
            Ok(None) => break,
            Err(e) => {
                eprintln!("{e}");
                break;
            }
        }
    }
    println!("{tally:?}");
}
