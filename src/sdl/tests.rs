//! Unit tests of SDL parsing; the corpus-wide comparison with the official SDK is in
//! `tests/conformance_sdl.rs`.

use super::*;

const WEB: &str = r#"
version: "2.0"
services:
  web:
    image: nginx
    expose:
      - port: 80
        as: 80
        to:
          - global: true
profiles:
  compute:
    web:
      resources:
        cpu: {units: 0.5}
        memory: {size: 512Mi}
        storage: {size: 1Gi}
  placement:
    dcloud:
      pricing:
        web: {denom: uact, amount: 1000}
deployment:
  web:
    dcloud: {profile: web, count: 2}
"#;

fn err(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn minimal_sdl_parses() {
    let sdl = parse(WEB).unwrap();
    let groups = sdl.groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "dcloud");
    let unit = &groups[0].resources[0];
    assert_eq!(unit.count, 2);
    assert_eq!(unit.price.as_ref().unwrap().amount, "1000000000000000000000");
    let res = unit.resource.as_ref().unwrap();
    assert_eq!(res.cpu.as_ref().unwrap().units.as_ref().unwrap().val, b"500");
    assert_eq!(res.memory.as_ref().unwrap().quantity.as_ref().unwrap().val, b"536870912");
    assert_eq!(res.endpoints, vec![crate::proto::akash::Endpoint { kind: 0, sequence_number: 0 }]);
    assert!(sdl.manifest_json().starts_with(r#"[{"name":"dcloud","services":[{"args":null,"command":null,"count":2,"credentials":null"#));
    let hash: [u8; 32] = Sha256::digest(sdl.manifest_json().as_bytes()).into();
    assert_eq!(sdl.version(), hash);
    let s = sdl.summary().unwrap();
    assert_eq!(s.prices[0].per_block, "2000");
    assert_eq!(s.prices[0].per_30_days, (2000 * BLOCKS_PER_30_DAYS).to_string());
}

#[test]
fn errors_name_the_path() {
    assert_eq!(
        err(&WEB.replace("denom: uact", "denom: usd")),
        "/profiles/placement/dcloud/pricing/web/denom: must be uakt, uact or ibc/..., found \"usd\""
    );
    assert!(err(&WEB.replace("image: nginx", "image: nginx\n    depends_on: [x]")).starts_with("/services/web: unknown field \"depends_on\""));
    assert!(err(&WEB.replace("size: 512Mi", "size: 512")).starts_with("/profiles/compute/web/resources/memory/size:"));
    assert!(err(&WEB.replace("count: 2", "count: 0")).starts_with("/deployment/web/dcloud/count: must be between 1"));
    assert!(err(&WEB.replace("version: \"2.0\"", "version: 2.0")).starts_with("/version: must be a string"));
    assert!(err(&WEB.replace("dcloud: {profile", "other: {profile")).contains("placement \"other\" is not defined"));
    assert!(err("[1, 2]").starts_with("/: must be an object"));
    assert!(matches!(parse(&"#".repeat(MAX_SDL_BYTES + 1)), Err(SdlError::TooLarge { .. })));
}

#[test]
fn service_without_expose_is_valid() {
    let text = WEB.replace("    expose:\n      - port: 80\n        as: 80\n        to:\n          - global: true\n", "");
    let sdl = parse(&text).unwrap();
    assert!(sdl.groups()[0].resources[0].resource.as_ref().unwrap().endpoints.is_empty());
}

#[test]
fn unused_profiles_are_not_converted() {
    // The SDK only converts sizes of profiles a deployment uses.
    let text = WEB.replace("  placement:", "    spare:\n      resources:\n        cpu: {units: 1}\n        memory: {size: '512'}\n        storage: {size: 1Gi}\n  placement:");
    assert!(parse(&text).is_ok());
    let used = text.replace("dcloud: {profile: web", "dcloud: {profile: spare").replace("web: {denom", "spare: {denom");
    assert!(err(&used).starts_with("/profiles/compute/spare/resources/memory/size:"));
}

#[test]
fn manifest_json_is_canonical() {
    // Written directly in canonical order: re-serialising the parsed value canonically (keys
    // sorted, `<>&` escaped) must give back the same bytes.
    let edge = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdl/kitchen-sink.yaml")).unwrap();
    for text in [WEB.to_string(), WEB.replace("image: nginx", "image: \"nginx<&>\\u0001\""), edge] {
        let sdl = parse(&text).unwrap();
        let mut again = String::new();
        crate::json::write_value(sdl.manifest(), &mut again, true);
        assert_eq!(again, sdl.manifest_json());
    }
}
