//! The EMF builder: any names, dimensions, properties and values give documents that pass
//! the independent EMF checker, or are refused and counted — never a broken document,
//! never a panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use lift_observability::metrics::check::check_document;
use lift_observability::metrics::{Metrics, Unit};
use lift_observability::{Clock, MemorySink};

const NOW: i64 = 1_764_000_000_000;

/// Cuts `data` into pieces at 0xff bytes.
fn pieces(data: &[u8]) -> Vec<String> {
    data.split(|b| *b == 0xff)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let sink = MemorySink::new();
    let Ok(metrics) = Metrics::builder("Fuzz/EMF")
        .default_dimension("service", "fuzz")
        .tenant_dimension("tenant_id", 2)
        .sink(Arc::new(sink.clone()))
        .clock(Clock::fixed(NOW))
        .build()
    else {
        return;
    };
    let parts = pieces(data);
    for (i, chunk) in parts.chunks(4).enumerate() {
        let name = chunk[0].as_str();
        let value = chunk
            .get(1)
            .map(|s| {
                let b = s.as_bytes();
                let mut raw = [0u8; 8];
                for (d, s) in raw.iter_mut().zip(b) {
                    *d = *s;
                }
                f64::from_le_bytes(raw)
            })
            .unwrap_or(1.0);
        let dim_value = chunk.get(2).map(String::as_str).unwrap_or("v");
        match i % 6 {
            0 => metrics.count(name, value),
            1 => metrics.gauge(name, value, Unit::Bytes),
            2 => metrics.record(name, value, Unit::Milliseconds),
            3 => metrics
                .metric(name)
                .dimensions(&[("Operation", dim_value)])
                .high_resolution()
                .count(value),
            4 => metrics.set_property(name, dim_value),
            _ => {
                metrics.add_dimension(name, dim_value);
                metrics.set_tenant(dim_value);
            }
        }
        // Many values of one metric, to reach the split paths.
        if let Some(extra) = chunk.get(3) {
            for (k, b) in extra.bytes().enumerate().take(300) {
                metrics.record("Spread", f64::from(b) + k as f64, Unit::None);
            }
        }
    }
    metrics.flush();
    for line in sink.lines() {
        if let Err(problems) = check_document(&line, NOW) {
            panic!("invalid EMF document {problems:?}: {line}");
        }
    }
});
