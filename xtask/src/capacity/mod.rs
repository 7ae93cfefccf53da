//! `cargo xtask capacity --orders-per-s R --hot-deals D --stock S`: the deployment that takes a
//! burst on Cloudflare, from what an order cost in the latest rehearsal (counted, never
//! estimated) and the platform's published limits; which limit binds first, and what would have
//! to change to pass each. The model is `model::plan`, a pure function; `measured` keeps the
//! rehearsal's counts, `limits` the published figures, `report` the words.

pub mod limits;
pub mod measured;
pub mod model;
mod report;

use festival_cli::flags::{self, Flags};
use limits::{Deployment, Engine, Limits};
use measured::Measured;
use model::Load;
use xtask::commands::CAPACITY;

pub use measured::record;

pub fn run(args: &[String]) -> Result<(), String> {
    if flags::asks_for_help(args) {
        print!("{}", CAPACITY.help());
        return Ok(());
    }
    let flags = Flags::new(args, &CAPACITY)?;
    let load = Load {
        orders_per_s: flags.get("--orders-per-s", 0.0)?,
        hot_deals: flags.get("--hot-deals", 0)?,
        stock: flags.get("--stock", 0)?,
    };
    if !(load.orders_per_s > 0.0 && load.orders_per_s.is_finite())
        || load.hot_deals == 0
        || load.stock == 0
    {
        return Err(format!(
            "--orders-per-s, --hot-deals and --stock must each be above 0\n{}",
            CAPACITY.help()
        ));
    }
    let engine = Engine::parse(&flags.get("--engine", "postgres".to_owned())?)?;
    let measured = Measured::load()?;
    let limits = Limits::published(engine);
    let today = Deployment::today();
    let costs = measured.per_order();
    let now = model::plan(load, costs, &limits, &today);
    let goals = model::plan(load, costs.at_goals(), &limits, &today);
    print!(
        "{}",
        report::render(&measured, &limits, &today, [&now, &goals])
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn the_command_wants_a_load_above_zero_and_a_known_engine() {
        assert!(run(&args(&["--help"])).is_ok());
        let ok = ["--orders-per-s", "10", "--hot-deals", "1", "--stock", "1"];
        let with = |more: &[&str]| args(&[&ok[..], more].concat());
        assert!(run(&args(&ok)).is_ok());
        assert!(run(&with(&["--engine", "sqlite"])).is_ok());
        assert!(run(&with(&["--engine", "kv"])).is_err());
        assert!(run(&with(&["--deals", "2"])).is_err());
        let no_orders = ["--orders-per-s", "0", "--hot-deals", "1", "--stock", "1"];
        assert!(run(&args(&no_orders)).is_err());
        assert!(run(&args(&["--orders-per-s", "10", "--stock", "1"])).is_err());
    }
}
