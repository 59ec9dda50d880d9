// SPDX-License-Identifier: BSD-2-Clause
//! rust: Rust names to demangle (legacy and v0 mangling, see names.mk):
//! a module, a method, a generic function with two instances. Counts its
//! own calls: `rust N` prints "names: calls NAME COUNT".
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static N_NORM: AtomicU64 = AtomicU64::new(0);
static N_SCALE: AtomicU64 = AtomicU64::new(0);

pub mod geo {
    use super::*;

    pub struct Point {
        pub x: i64,
    }

    impl Point {
        #[inline(never)]
        pub fn norm(&self) -> i64 {
            N_NORM.fetch_add(1, Relaxed);
            self.x.abs()
        }
    }

    #[inline(never)]
    pub fn scale<T: Into<i64>>(t: T) -> i64 {
        N_SCALE.fetch_add(1, Relaxed);
        t.into() * 3
    }
}

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut sink = 0i64;
    for i in 0..n {
        let p = geo::Point { x: i as i64 };
        sink = sink.wrapping_add(p.norm() + geo::scale(i as u8) + geo::scale(i as i32));
    }
    println!("names: calls geo::Point::norm {}", N_NORM.load(Relaxed));
    println!("names: calls geo::scale {}", N_SCALE.load(Relaxed));
    if sink == i64::MIN {
        println!("(sink)");
    }
}
