//! EMF documents: golden output, every split case, the tenant budget, refusals — each
//! document checked by the independent rule checker.

use std::sync::Arc;

use lift_observability::metrics::check::check_document;
use lift_observability::metrics::{Metrics, OTHER_TENANT, Unit};
use lift_observability::{Clock, MemorySink};

const NOW: i64 = 1_764_000_000_000;

fn metrics() -> (Metrics, MemorySink) {
    let sink = MemorySink::new();
    let m = Metrics::builder("Lift/Payments")
        .default_dimension("service", "payments")
        .sink(Arc::new(sink.clone()))
        .clock(Clock::fixed(NOW))
        .build()
        .unwrap();
    (m, sink)
}

/// `builder` with a `tenant_id` dimension admitting one tenant, into a memory sink; one
/// `Charges` document flushed for `acme`, then one for `globex` (folded).
fn two_tenants_over_a_budget_of_one(
    builder: lift_observability::metrics::MetricsBuilder,
) -> (Metrics, MemorySink) {
    let sink = MemorySink::new();
    let root = builder
        .tenant_dimension("tenant_id", 1)
        .sink(Arc::new(sink.clone()))
        .clock(Clock::fixed(NOW))
        .build()
        .unwrap();
    for tenant in ["acme", "globex"] {
        let m = root.child();
        m.set_tenant(tenant);
        m.count("Charges", 1.0);
        m.flush();
    }
    (root, sink)
}

/// Every line is a valid EMF document; returns them parsed.
fn checked(sink: &MemorySink) -> Vec<serde_json::Value> {
    for line in sink.lines() {
        if let Err(problems) = check_document(&line, NOW) {
            panic!("invalid EMF {problems:?}\n{line}");
        }
    }
    sink.entries()
}

#[test]
fn golden_document() {
    let (m, sink) = metrics();
    m.count("ChargeCaptured", 1.0);
    m.count("ChargeCaptured", 2.0);
    m.metric("Latency")
        .unit(Unit::Milliseconds)
        .high_resolution()
        .record(12.5);
    m.metric("Latency")
        .unit(Unit::Milliseconds)
        .high_resolution()
        .record(12.5);
    m.metric("Latency")
        .unit(Unit::Milliseconds)
        .high_resolution()
        .record(3.0);
    m.gauge("QueueDepth", 4.0, Unit::Count);
    m.gauge("QueueDepth", 7.0, Unit::Count);
    m.set_property("request_id", "req-1");
    m.set_property("trace_id", "1-5759e988-bd862e3fe1be46a994272793");
    let report = m.flush();
    assert_eq!(report.documents, 1);
    checked(&sink);
    assert_eq!(
        sink.lines()[0],
        concat!(
            r#"{"_aws":{"Timestamp":1764000000000,"CloudWatchMetrics":[{"Namespace":"Lift/Payments","#,
            r#""Dimensions":[["service"]],"Metrics":[{"Name":"ChargeCaptured","Unit":"Count"},"#,
            r#"{"Name":"Latency","Unit":"Milliseconds","StorageResolution":1},"#,
            r#"{"Name":"QueueDepth","Unit":"Count"}]}]},"service":"payments","#,
            r#""ChargeCaptured":3.0,"Latency":[12.5,12.5,3.0],"QueueDepth":7.0,"#,
            r#""request_id":"req-1","trace_id":"1-5759e988-bd862e3fe1be46a994272793"}"#
        )
    );
    // Values were reset; nothing more to write.
    assert_eq!(m.flush().documents, 0);
}

#[test]
fn one_hundred_and_one_metrics_split_into_two_documents() {
    let (m, sink) = metrics();
    for i in 0..101 {
        m.count(&format!("M{i:03}"), f64::from(i));
    }
    assert_eq!(m.flush().documents, 2);
    let docs = checked(&sink);
    let names = |d: &serde_json::Value| {
        d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((names(&docs[0]), names(&docs[1])), (100, 1));
    assert_eq!(docs[1]["M100"], 100.0);
    assert_eq!(docs[0]["service"], "payments");
    assert_eq!(docs[1]["service"], "payments");
}

#[test]
fn one_hundred_and_one_values_split_and_keep_every_value() {
    let (m, sink) = metrics();
    for i in 0..101 {
        m.record("Latency", f64::from(i), Unit::Milliseconds);
    }
    m.count("Calls", 101.0);
    assert_eq!(m.flush().documents, 2);
    let docs = checked(&sink);
    let first = docs[0]["Latency"].as_array().unwrap();
    let second = docs[1]["Latency"].as_array().unwrap();
    assert_eq!((first.len(), second.len()), (100, 1));
    assert_eq!(second[0], 100.0);
    // The counter is written once, not once per split document.
    assert_eq!(docs[0]["Calls"], 101.0);
    assert!(docs[1].get("Calls").is_none());
    let total: usize = docs
        .iter()
        .map(|d| d["Latency"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 101);
}

#[test]
fn per_metric_dimensions_make_their_own_documents() {
    let (m, sink) = metrics();
    m.add_dimension("function_name", "charge");
    m.metric("Calls")
        .dimensions(&[("Operation", "Charge")])
        .count(2.0);
    m.metric("Calls")
        .dimensions(&[("Operation", "Refund")])
        .count(1.0);
    m.count("Invocations", 1.0);
    assert_eq!(m.flush().documents, 3);
    let docs = checked(&sink);
    let sets: Vec<_> = docs
        .iter()
        .map(|d| d["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0].clone())
        .collect();
    assert_eq!(
        sets[0],
        serde_json::json!(["service", "function_name", "Operation"])
    );
    assert_eq!(
        (docs[0]["Operation"].as_str(), docs[0]["Calls"].as_f64()),
        (Some("Charge"), Some(2.0))
    );
    assert_eq!(
        (docs[1]["Operation"].as_str(), docs[1]["Calls"].as_f64()),
        (Some("Refund"), Some(1.0))
    );
    assert_eq!(sets[2], serde_json::json!(["service", "function_name"]));
}

#[test]
fn non_finite_values_are_dropped_and_counted() {
    let (m, sink) = metrics();
    m.record("Ratio", f64::NAN, Unit::None);
    m.record("Ratio", f64::INFINITY, Unit::None);
    m.gauge("Ratio2", f64::NEG_INFINITY, Unit::None);
    m.record("Ratio", 0.5, Unit::None);
    m.flush();
    let docs = checked(&sink);
    assert_eq!(docs[0]["Ratio"], serde_json::json!([0.5]));
    assert!(docs[0].get("Ratio2").is_none());
    assert_eq!(m.stats().dropped_non_finite, 3);
}

#[test]
fn user_names_never_take_the_aws_member() {
    let (m, sink) = metrics();
    m.set_property("_aws", "forged");
    m.count("_aws", 1.0);
    m.add_dimension("_aws", "x");
    m.count("Good", 1.0);
    m.set_property("service", "shadow");
    m.flush();
    let docs = checked(&sink);
    assert_eq!(docs.len(), 1);
    assert!(docs[0]["_aws"].is_object());
    assert_eq!(
        docs[0]["service"], "payments",
        "a dimension beats a property"
    );
    let stats = m.stats();
    assert_eq!(stats.dropped_invalid, 3);
    assert_eq!(stats.collisions, 2);
    assert!(stats.last_violation.is_some());
}

#[test]
fn invalid_names_and_conflicts_are_refused_not_written() {
    let (m, sink) = metrics();
    m.count("", 1.0);
    m.count(&"x".repeat(256), 1.0);
    m.metric("Calls").dimensions(&[(":bad", "v")]).count(1.0);
    m.metric("Calls")
        .dimensions(&[("Region", "Zürich")])
        .count(1.0);
    m.count("Calls", 1.0);
    m.gauge("Calls", 1.0, Unit::Count);
    m.flush();
    let docs = checked(&sink);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["Calls"], 1.0);
    assert_eq!(m.stats().dropped_invalid, 5);
}

#[test]
fn more_than_thirty_dimensions_are_refused() {
    let (m, sink) = metrics();
    let names: Vec<String> = (0..30).map(|i| format!("D{i}")).collect();
    let dims: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    // 30 own + service = 31 keys in the set.
    m.metric("Wide").dimensions(&dims).count(1.0);
    m.metric("Narrow").dimensions(&dims[..29]).count(1.0);
    m.flush();
    let docs = checked(&sink);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["Narrow"], 1.0);
    assert_eq!(m.stats().dropped_invalid, 1);
    assert_eq!(
        m.stats().last_violation.as_deref(),
        Some("more than 30 keys in a dimension set")
    );
}

#[test]
fn a_metric_named_like_a_later_dimension_is_dropped_as_a_collision_named() {
    let (m, sink) = metrics();
    m.count("region", 1.0);
    m.count("Charges", 1.0);
    m.add_dimension("region", "eu-west-1");
    m.flush();
    let docs = checked(&sink);
    assert_eq!(docs.len(), 1);
    assert_eq!(
        (&docs[0]["Charges"], &docs[0]["region"]),
        (&1.0.into(), &"eu-west-1".into())
    );
    let stats = m.stats();
    assert_eq!((stats.dropped_invalid, stats.collisions), (1, 1));
    let violation = stats.last_violation.unwrap();
    assert!(
        violation.contains("\"region\"")
            && violation.contains("dimension")
            && !violation.contains("30"),
        "{violation}"
    );
}

#[test]
fn the_tenant_budget_folds_extra_tenants_into_other() {
    let sink = MemorySink::new();
    let root = Metrics::builder("Lift/Payments")
        .tenant_dimension("tenant", 2)
        .sink(Arc::new(sink.clone()))
        .clock(Clock::fixed(NOW))
        .build()
        .unwrap();
    for tenant in ["acme", "globex", "initech", "acme", "umbrella"] {
        let m = root.child();
        m.set_tenant(tenant);
        m.count("Charges", 1.0);
        m.flush();
    }
    let docs = checked(&sink);
    let got: Vec<(String, String)> = docs
        .iter()
        .map(|d| {
            (
                d["tenant"].as_str().unwrap().into(),
                d["tenant_id"].as_str().unwrap().into(),
            )
        })
        .collect();
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        got,
        [
            pair("acme", "acme"),
            pair("globex", "globex"),
            pair(OTHER_TENANT, "initech"),
            pair("acme", "acme"),
            pair(OTHER_TENANT, "umbrella"),
        ]
    );
    assert_eq!(docs[2]["folded_tenant_id"], "initech");
    assert!(docs[0].get("folded_tenant_id").is_none());
    assert_eq!(root.stats().tenant_overflow, 2);
}

#[test]
fn children_are_isolated_across_threads() {
    let (root, sink) = metrics();
    std::thread::scope(|s| {
        for t in 0..8 {
            let root = &root;
            s.spawn(move || {
                let m = root.child();
                m.set_property("request_id", format!("req-{t}").as_str());
                for _ in 0..1000 {
                    m.count("Calls", 1.0);
                }
                m.flush();
            });
        }
    });
    let docs = checked(&sink);
    assert_eq!(docs.len(), 8);
    for d in &docs {
        assert_eq!(d["Calls"], 1000.0);
    }
    assert_eq!(root.stats().recorded, 8000);
}

#[test]
fn a_bad_namespace_is_a_configuration_error() {
    let err = Metrics::builder("has space").build().unwrap_err();
    assert!(err.to_string().contains("namespace"), "{err}");
    let err = Metrics::builder("N")
        .default_dimension("_aws", "x")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("_aws"), "{err}");
}

#[test]
fn a_tenant_dimension_named_tenant_id_is_not_a_collision() {
    // Regression: the tenant's property and a dimension of the same name used to collide
    // on every document and inflate the collision count.
    let (root, sink) = two_tenants_over_a_budget_of_one(Metrics::builder("Lift/Payments"));
    let docs = checked(&sink);
    assert_eq!(docs[0]["tenant_id"], "acme");
    assert_eq!(docs[1]["tenant_id"], OTHER_TENANT);
    assert_eq!(docs[1]["folded_tenant_id"], "globex");
    assert_eq!(root.stats().collisions, 0);
}

#[test]
fn properties_are_redacted_like_log_fields_but_ids_are_kept() {
    let (m, sink) = metrics();
    m.set_property("note", "card 4111 1111 1111 1111 declined");
    m.set_property("api_key", "sk_live_123");
    m.set_property("password", None::<&str>);
    m.set_property("has_api_key", true);
    m.set_property("cvv", "123");
    // A gateway's check result under the code's name reports on it: kept.
    m.set_property("cvv_code", "M");
    // A form post's body in base64, as its event carries it.
    let form = "Y2FyZF9udW1iZXI9NDExMTExMTExMTExMTExMSZjdmM9NzM3";
    m.set_property("body", form);
    m.set_property("request_id", "4111111111111111");
    m.set_property("trace_id", "1-41111111-111111111111111111111111");
    m.count("Declines", 1.0);
    m.flush();
    let d = &checked(&sink)[0];
    assert_eq!(d["note"], "card 4111 11** **** 1111 declined");
    assert_eq!(d["api_key"], "[REDACTED]");
    // A secret not set is `null`, as in log lines.
    assert!(d["password"].is_null(), "{d}");
    // A flag under a secret's name, as it is: one bit holds no secret.
    assert_eq!(d["has_api_key"], true, "{d}");
    assert!(d["cvv"].is_null());
    assert_eq!(d["cvv_code"], "M", "{d}");
    assert_eq!(d["body"], "[REDACTED]");
    assert_eq!(d["request_id"], "4111111111111111");
    assert_eq!(d["trace_id"], "1-41111111-111111111111111111111111");
}

#[test]
fn a_tenant_id_holding_a_card_number_is_never_a_dimension_value() {
    let sink = MemorySink::new();
    let root = Metrics::builder("Lift/Payments")
        .tenant_dimension("tenant", 5)
        .sink(Arc::new(sink.clone()))
        .clock(Clock::fixed(NOW))
        .build()
        .unwrap();
    let m = root.child();
    m.set_tenant("4111111111111111");
    m.count("Charges", 1.0);
    m.set_property("card", 4_111_111_111_111_111u64);
    m.flush();
    let line = &sink.lines()[0];
    assert!(!line.contains("4111111111111111"), "{line}");
    let doc = &checked(&sink)[0];
    assert_eq!(doc["tenant"], "411111******1111");
    assert_eq!(doc["tenant_id"], "411111******1111");
    assert_eq!(doc["card"], "411111******1111");
}

/// The verdict of the CloudWatch user guide's JSON schema on `lines`, from Python's
/// `jsonschema` in `.venv` (`scripts/test.sh` installs it; `LIFT_PYTHON` names another).
#[cfg(feature = "interop")]
fn schema_verdict(lines: &[String]) -> Result<String, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let python = std::env::var("LIFT_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv/bin/python").into());
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop");
    let mut child = Command::new(&python)
        .arg(format!("{dir}/validate_emf.py"))
        .arg(format!("{dir}/emf-schema.json"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python}: {e} (scripts/test.sh installs it)"));
    let mut stdin = child.stdin.take().unwrap();
    for line in lines {
        writeln!(stdin, "{line}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

#[cfg(feature = "interop")]
#[test]
fn every_document_shape_passes_the_user_guides_json_schema() {
    let (m, sink) = metrics();
    // One document with every kind and unit, a property, high resolution.
    m.count("ChargeCaptured", 1.0);
    m.metric("Latency")
        .unit(Unit::Milliseconds)
        .high_resolution()
        .record(12.5);
    m.gauge("QueueDepth", 4.0, Unit::Count);
    m.metric("Throughput")
        .unit(Unit::BytesPerSecond)
        .record(1024.0);
    m.set_property("request_id", "req-1");
    m.flush();
    // 150 metrics (two documents), 250 values of one metric (three), per-metric dimensions.
    for i in 0..150 {
        m.count(&format!("M{i}"), 1.0);
    }
    for v in 0..250 {
        m.metric("Spread").record(f64::from(v));
    }
    m.metric("ByCurrency")
        .dimensions(&[("currency", "EUR")])
        .count(1.0);
    m.flush();
    // 30 keys in a set: the most allowed.
    let names: Vec<String> = (0..29).map(|i| format!("D{i}")).collect();
    let dims: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    m.metric("Wide").dimensions(&dims).count(1.0);
    m.flush();
    // No dimension at all: an empty set.
    let bare_sink = MemorySink::new();
    let bare = Metrics::builder("Lift/Bare")
        .sink(Arc::new(bare_sink.clone()))
        .clock(Clock::fixed(NOW))
        .build()
        .unwrap();
    bare.count("Calls", 1.0);
    bare.flush();
    // A tenant dimension, folded past the budget.
    let (_, tenant_sink) = two_tenants_over_a_budget_of_one(
        Metrics::builder("Lift/Tenants").default_dimension("service", "payments"),
    );
    let mut lines = sink.lines();
    lines.extend(bare_sink.lines());
    lines.extend(tenant_sink.lines());
    assert!(lines.len() >= 9, "{}", lines.len());
    assert_eq!(
        bare_sink.entries()[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        serde_json::json!([[]])
    );
    assert_eq!(
        schema_verdict(&lines),
        Ok(format!("{} valid\n", lines.len()))
    );

    // The schema is not a rubber stamp: 31 keys in a set, or a unit CloudWatch does not
    // know, are refused.
    let mut wide: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    let keys: Vec<String> = (0..31).map(|i| format!("D{i}")).collect();
    wide["_aws"]["CloudWatchMetrics"][0]["Dimensions"] = serde_json::json!([keys]);
    assert!(schema_verdict(&[wide.to_string()]).is_err());
    let mut unit: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    unit["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] = "Furlongs".into();
    assert!(schema_verdict(&[unit.to_string()]).is_err());
}
