use lift_observability::{Format, LevelFilter, Logger, LoggerConfig, SinkKind};

#[test]
fn json_config_with_env_overlay_builds_a_working_logger() {
    let config = LoggerConfig::from_json(
        r#"{"level":"warn","format":"json","service_name":"payments","sink":"noop","default_tenant_id":"shared"}"#,
    )
    .unwrap()
    .with_env_from(|k| (k == "LIFT_LOG_LEVEL").then(|| "debug".to_owned()))
    .unwrap();
    assert_eq!(config.level, LevelFilter::Debug);
    assert_eq!(config.sink, SinkKind::Noop);
    let log = Logger::from_config(config).unwrap();
    assert_eq!(log.level(), LevelFilter::Debug);
    assert_eq!(log.tenant_id(), Some("shared"));
    log.debug("counted", &[]);
    assert_eq!(log.stats().entries_logged, 1);
    assert_eq!(log.stats().sink.name, "noop");
}

#[test]
fn invalid_config_is_an_error_not_a_default() {
    let err = Logger::from_config(LoggerConfig {
        default_user_id: Some(String::new()),
        format: Format::Console,
        ..LoggerConfig::default()
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration field `default_user_id` is invalid: must not be empty (leave it out instead)"
    );
}

#[test]
fn noop_logger_writes_nothing() {
    let log = Logger::noop();
    log.error("nothing", &[]);
    assert_eq!(log.stats().entries_logged, 0);
    assert!(log.is_healthy());
}
