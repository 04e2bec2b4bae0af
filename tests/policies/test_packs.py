"""Policy pack files: located errors for bad packs, organisation packs, caching."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector_spec.errors import InputError
from policies import PolicyPackError, evaluate, load_pack_file, load_packs, parse_pack_bytes
from tests.policies.helpers import SpecWriter, base_spec

HEADER = """\
apiVersion: flows.dev/v1
kind: PolicyPack
name: acme
rules:
"""


def pack(rules: str) -> bytes:
    return (HEADER + rules).encode()


def error_of(raw: bytes) -> PolicyPackError:
    with pytest.raises(PolicyPackError) as caught:
        parse_pack_bytes(raw, "org/pack.yaml")
    return caught.value


ORG_RULE = """\
  - id: acme.no-deprecated
    description: no deprecated operations
    severity: warning
    applies_to: operation
    condition: "!op.deprecated"
    message: "operation {op.id} is deprecated"
"""


def test_yaml_syntax_error_names_file_line_and_column() -> None:
    error = error_of(pack("  - id: acme.x\n    description: [unclosed\n"))
    item = error.items[0]
    assert (item.file, item.line) == ("org/pack.yaml", 7)
    assert item.message.startswith("YAML syntax error")
    assert error.diagnostics().startswith("org/pack.yaml:7:")
    assert "1 error in the policy pack; nothing was written." in error.diagnostics()
    assert error.exit_code == 2


def test_unknown_field_says_did_you_mean() -> None:
    raw = pack(ORG_RULE.replace("    severity: warning\n", "    severty: warning\n"))
    item = error_of(raw).items[0]
    assert (item.line, item.column) == (7, 5)
    assert item.path == "rules[0].severty"
    assert item.message == "unknown field 'severty'"
    assert item.hint == "did you mean 'severity'?"


def test_unknown_top_level_field() -> None:
    raw = b"apiVersion: flows.dev/v1\nkind: PolicyPack\nname: acme\nrulez: []\nrules: []\n"
    error = error_of(raw)
    assert any(d.message == "unknown field 'rulez'" and d.line == 4 for d in error.items)
    assert any(d.hint == "did you mean 'rules'?" for d in error.items)


def test_wrong_api_version_and_kind() -> None:
    error = error_of(b"apiVersion: flows.dev/v2\nkind: Policy\nname: acme\nrules: []\n")
    by_path = {d.path: d for d in error.items}
    assert by_path["apiVersion"].line == 1
    assert by_path["kind"].hint == "a policy pack has 'kind: PolicyPack'"


def test_cel_syntax_error_points_into_the_expression() -> None:
    raw = pack(ORG_RULE.replace('condition: "!op.deprecated"', "condition: op.deprecated &&"))
    item = error_of(raw).items[0]
    assert item.path == "rules[0].condition"
    assert item.line == 9
    assert item.column == 16 + len("op.deprecated &&")
    assert item.message.startswith("CEL syntax error: ")


def test_cel_syntax_error_in_block_scalar_points_at_its_line() -> None:
    raw = pack(
        ORG_RULE.replace(
            'condition: "!op.deprecated"',
            "condition: |\n      op.id != ''\n      && (op.deprecated ||",
        )
    )
    item = error_of(raw).items[0]
    assert item.line == 11
    assert item.message.startswith("CEL syntax error")


def test_cel_unknown_variable_is_a_type_error_with_suggestion() -> None:
    raw = pack(ORG_RULE.replace('condition: "!op.deprecated"', "condition: '!opp.deprecated'"))
    item = error_of(raw).items[0]
    assert (item.line, item.column) == (9, 18)
    assert item.message == "CEL type error: unknown variable 'opp'"
    assert item.hint == "did you mean 'op'?"


def test_cel_unknown_function_is_a_type_error() -> None:
    raw = pack(ORG_RULE.replace('condition: "!op.deprecated"', "condition: lenght(op.id) > 0"))
    item = error_of(raw).items[0]
    assert item.message == "CEL type error: unknown function 'lenght'"


def test_cel_operand_type_mismatch_is_a_type_error() -> None:
    raw = pack(ORG_RULE.replace('condition: "!op.deprecated"', "condition: op.id + 1 == 2"))
    item = error_of(raw).items[0]
    assert (item.file, item.line, item.column) == ("org/pack.yaml", 9, 16)
    assert item.message.startswith("CEL type error: Unsupported operation: string + int")


def test_condition_must_be_a_bool() -> None:
    raw = pack(ORG_RULE.replace('condition: "!op.deprecated"', "condition: op.id"))
    item = error_of(raw).items[0]
    assert item.message.startswith("expression must give a bool, but gives str")


def test_misspelt_field_is_reported_with_suggestion() -> None:
    raw = pack(ORG_RULE.replace('condition: "!op.deprecated"', "condition: '!op.deprecatd'"))
    item = error_of(raw).items[0]
    assert item.message == "CEL type error: no field 'deprecatd'"
    assert item.hint == "did you mean 'deprecated'?"


def test_message_placeholder_errors_are_located() -> None:
    raw = pack(ORG_RULE.replace('"operation {op.id} is deprecated"', '"operation {op.idd + } x"'))
    item = error_of(raw).items[0]
    assert item.path == "rules[0].message"
    assert item.line == 10
    assert item.message.startswith("CEL syntax error")


def test_rule_id_must_be_in_the_pack_namespace() -> None:
    item = error_of(pack(ORG_RULE.replace("acme.no-deprecated", "other.rule"))).items[0]
    assert item.path == "rules[0].id"
    assert item.message == "rule id 'other.rule' is not in this pack's namespace"


def test_duplicate_rule_ids() -> None:
    error = error_of(pack(ORG_RULE + ORG_RULE))
    assert any("duplicate rule id 'acme.no-deprecated'" in d.message for d in error.items)


def test_org_pack_directory_adds_rules(tmp_path: Path, write_spec: SpecWriter) -> None:
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "acme.yaml").write_bytes(pack(ORG_RULE))
    spec = base_spec()
    spec["operations"][0]["deprecated"] = True
    report = evaluate(write_spec(spec), packs=[folder])
    result = next(r for r in report.results if r.rule == "acme.no-deprecated")
    assert (result.status, result.severity, result.pack) == ("failed", "warning", "acme")
    assert result.message == "operation list_items is deprecated"
    assert report.passed  # a warning does not fail the check
    assert [p["name"] for p in report.packs] == ["default", "acme"]


def test_org_error_rule_fails_the_report(tmp_path: Path, write_spec: SpecWriter) -> None:
    path = tmp_path / "acme.yaml"
    path.write_bytes(pack(ORG_RULE.replace("severity: warning", "severity: error")))
    spec = base_spec()
    spec["operations"][0]["deprecated"] = True
    report = evaluate(write_spec(spec), packs=[path])
    assert not report.passed and report.exit_code == 1


def test_org_rule_reading_the_manifest(tmp_path: Path, write_spec: SpecWriter) -> None:
    rule = """\
  - id: acme.retry-safe-writes
    description: generated writes are retry safe
    applies_to: operation
    requires: [manifest]
    when: op.effects == 'write'
    condition: manifest_op != null && manifest_op.retry_safe
    message: "{op.id} is not retry safe in {manifest.package}"
"""
    path = tmp_path / "acme.yaml"
    path.write_bytes(pack(rule))
    without = evaluate(write_spec(), packs=[path])
    result = next(r for r in without.results if r.rule == "acme.retry-safe-writes")
    assert result.status == "not_applicable"
    manifest = {
        "package": "flows_acme",
        "operations": [{"id": "create_item", "retry_safe": False}],
    }
    report = evaluate(write_spec(manifest=manifest), packs=[path])
    result = next(r for r in report.results if r.rule == "acme.retry-safe-writes")
    assert result.status == "failed"
    assert result.message == "create_item is not retry safe in flows_acme"


def test_runtime_error_names_rule_file_and_subject(tmp_path: Path, write_spec: SpecWriter) -> None:
    rule = """\
  - id: acme.strict-idempotency
    description: strict ops name the idempotency header
    applies_to: operation
    condition: op.idempotency.header != ''
    message: "{op.id}"
"""
    path = tmp_path / "acme.yaml"
    path.write_bytes(pack(rule))
    with pytest.raises(PolicyPackError) as caught:
        evaluate(write_spec(), packs=[path])
    item = caught.value.items[0]
    assert (item.file, item.line) == (str(path), 8)
    assert "rule acme.strict-idempotency could not be evaluated for operations[0] list_items" in (
        item.message
    )
    assert item.hint and "has(" in item.hint


def test_pack_name_clash_with_default(tmp_path: Path) -> None:
    path = tmp_path / "default.yaml"
    path.write_bytes(
        pack(ORG_RULE).replace(b"name: acme", b"name: default").replace(b"acme.", b"default.")
    )
    from policies import default_packs
    from policies.loader import check_unique

    with pytest.raises(PolicyPackError) as caught:
        check_unique(default_packs() + load_packs([path]))
    assert "pack name 'default' is already used" in caught.value.items[0].message


def test_missing_pack_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such policy pack"):
        load_packs([tmp_path / "nope"])
    with pytest.raises(InputError, match=r"no policy pack files \(\*\.yaml\)"):
        load_packs([tmp_path])


def test_pack_files_are_cached_until_changed(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_bytes(pack(ORG_RULE))
    first = load_pack_file(path)
    assert load_pack_file(path) is first
    path.write_bytes(pack(ORG_RULE.replace("no deprecated operations", "changed text!")))
    second = load_pack_file(path)
    assert second is not first
    assert second.rules[0].description == "changed text!"


def test_rule_reading_an_optional_input_must_require_it() -> None:
    rule = """\
  - id: acme.retry-safe
    description: generated writes are retry safe
    applies_to: operation
    condition: manifest_op.retry_safe
    message: "{op.id}"
"""
    item = error_of(pack(rule)).items[0]
    assert item.path == "rules[0].condition"
    assert item.message.startswith("fails when the manifest is absent: CEL type error")
    assert item.hint == "add 'requires: [manifest]' to the rule, or guard with has()/!= null"
    assert parse_pack_bytes(
        pack(rule.replace("    condition:", "    requires: [manifest]\n    condition:")), "ok.yaml"
    )


def test_when_guards_the_condition_during_type_checking() -> None:
    rule = """\
  - id: acme.sandbox-fixtures
    description: fixtures that name an environment use the sandbox
    applies_to: fixture
    when: fixture.environment != null
    condition: fixture.environment.startsWith('sand')
    message: "{fixture_file} uses {fixture.environment}"
"""
    loaded = parse_pack_bytes(pack(rule), "ok.yaml")
    assert [r.id for r in loaded.rules] == ["acme.sandbox-fixtures"]
    unguarded = rule.replace("    when: fixture.environment != null\n", "")
    assert error_of(pack(unguarded)).items[0].message.startswith("CEL type error")
