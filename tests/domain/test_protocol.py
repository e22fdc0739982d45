"""Protocol presets load with the numbers of CLINICAL.md; malformed files say what is wrong."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest

from kapdesk.domain.errors import ProtocolError
from kapdesk.domain.protocol import (
    Anchor,
    Band,
    DoseLimit,
    Phase,
    Protocol,
    Route,
    builtin_protocols,
    load_protocol_file,
    load_protocol_text,
    parse_protocol,
)

P = builtin_protocols()
KAP_TEXT = (resources.files("kapdesk.resources") / "protocols" / "kap-default.toml").read_text(
    encoding="utf-8"
)

SIDE_EFFECTS = [
    "dissociation", "dizziness", "vertigo", "nausea", "vomiting", "sedation", "anxiety",
    "dysphoria", "confusion", "headache", "blurred_vision", "diplopia", "numbness",
    "paraesthesia", "elevated_bp", "euphoria", "dysgeusia", "dry_mouth", "sweating",
    "hallucinations", "nasal_discomfort",
]  # fmt: skip


# ------------------------------------------------------------------ presets


def test_four_presets_ship() -> None:
    assert sorted(P) == ["iv-infusion", "kap-default", "spravato-rems", "sublingual-kap"]
    for proto in P.values():
        assert proto.version == "1.0"
        assert proto.label == f"{proto.id} v1.0"
        assert proto.title
        assert proto.source
        assert proto.file.endswith(".toml")
        assert proto.recheck_after_min == 5


@pytest.mark.parametrize("proto", P.values(), ids=P.keys())
def test_bp_thresholds_of_clinical_md(proto: Protocol) -> None:
    rules = {r.id: r for r in proto.vital_rules}
    pre = rules["pre-dose-elevated"]
    assert (pre.phase, pre.band, pre.systolic_gte, pre.diastolic_gte) == (
        Phase.PRE_DOSE, Band.ELEVATED, 140, 90,
    )  # fmt: skip
    assert pre.repeat_after_min == 5
    post = rules["post-dose-alert"]
    assert (post.phase, post.band, post.systolic_gt, post.diastolic_gt) == (
        Phase.POST_DOSE, Band.ALERT, 180, 110,
    )  # fmt: skip
    assert post.repeat_after_min == 5
    assert post.escalate_after_consecutive == 2
    crit = rules["critical-bp"]
    assert (crit.phase, crit.band, crit.systolic_gt, crit.diastolic_gt) == (
        Phase.ANY, Band.CRITICAL, 200, 120,
    )  # fmt: skip
    pulse = rules["tachycardia"]
    assert (pulse.phase, pulse.band, pulse.pulse_gt) == (Phase.ANY, Band.ALERT, 120)
    spo2 = rules["low-spo2"]
    assert (spo2.phase, spo2.band, spo2.spo2_lt) == (Phase.ANY, Band.ALERT, 92)
    assert pre.describe() == "systolic ≥ 140 or diastolic ≥ 90 mmHg"
    assert post.describe() == "systolic > 180 or diastolic > 110 mmHg"
    assert pulse.describe() == "pulse > 120/min"
    assert spo2.describe() == "SpO2 < 92 %"
    assert {r.id for r in proto.rules_for(Phase.PRE_DOSE)} == set(rules) - {
        "post-dose-alert",
        "rise-from-baseline",
    }
    assert {r.id for r in proto.rules_for(Phase.POST_DOSE)} == set(rules) - {"pre-dose-elevated"}


@pytest.mark.parametrize("proto", P.values(), ids=P.keys())
def test_catalogues_of_clinical_md(proto: Protocol) -> None:
    assert [s.id for s in proto.side_effects] == SIDE_EFFECTS
    assert "nasal_discomfort" not in {s.id for s in proto.side_effects_for(Route.IM)}
    assert "nasal_discomfort" in {s.id for s in proto.side_effects_for(Route.INTRANASAL)}
    assert "nasal_products" not in {c.id for c in proto.checklist_for(Route.ORAL)}
    assert "nasal_products" in {c.id for c in proto.checklist_for(Route.INTRANASAL)}
    weight = {c.id: c for c in proto.checklist}["weight_kg"]
    assert (weight.kind, weight.unit, weight.required) == ("number", "kg", True)
    assert {d.computed for d in proto.discharge} == {
        "",
        "vitals_acceptable",
        "min_observation",
        "readings_taken",
        "side_effects_resolved",
    }
    assert proto.intranasal_device_mg == 28.0


def test_kap_default() -> None:
    p = P["kap-default"]
    assert p.medications == ("racemic ketamine", "esketamine")
    assert set(p.routes) == set(Route)
    assert [(s.id, s.anchor, s.from_min, s.to_min) for s in p.schedule] == [
        ("pre-dose", Anchor.PRE_DOSE, 0, 0),
        ("post-dose-20-30", Anchor.EACH_DOSE, 20, 30),
        ("pre-discharge", Anchor.DISCHARGE, 15, 0),
    ]
    assert p.min_observation_for(Route.IM) == 120
    assert p.min_observation_for(Route.IV) == 120
    assert p.min_observation_for(Route.SUBLINGUAL) == 150
    assert p.dose_limits[Route.IV] == DoseLimit(Route.IV, None, 1.0, None, 2.0, None, 0.1)
    assert p.dose_limits[Route.IM] == DoseLimit(Route.IM, 150.0, 1.5, 300.0, 3.0, 15.0, 0.15)
    assert p.dose_limits[Route.INTRANASAL] == DoseLimit(
        Route.INTRANASAL, 84.0, None, 168.0, None, 8.4, None, session_max_mg=84.0
    )
    assert p.dose_limits[Route.SUBLINGUAL].max_mg == 400.0


def test_spravato_rems() -> None:
    p = P["spravato-rems"]
    assert p.medications == ("esketamine",)
    assert p.routes == (Route.INTRANASAL,)
    post = {s.id: s for s in p.schedule}["post-dose-40"]
    assert (post.anchor, post.from_min, post.to_min) == (Anchor.FIRST_DOSE, 35, 45)
    assert p.min_observation_for(Route.INTRANASAL) == 120
    assert p.dose_limits[Route.INTRANASAL].max_mg == 84.0


def test_iv_infusion() -> None:
    p = P["iv-infusion"]
    s = {x.id: x for x in p.schedule}
    assert (s["infusion"].from_min, s["infusion"].repeat_every_min, s["infusion"].repeat_count) == (
        10, 10, 4,
    )  # fmt: skip
    post = s["post-infusion"]
    assert (post.from_min, post.repeat_every_min, post.repeat_count) == (55, 15, 4)
    assert p.dose_limits[Route.IV].max_mg_per_kg == 1.0
    assert p.min_observation_for(Route.IV) == 120


def test_sublingual_kap() -> None:
    p = P["sublingual-kap"]
    assert p.routes == (Route.SUBLINGUAL, Route.BUCCAL)
    assert [x.anchor for x in p.schedule] == [Anchor.PRE_DOSE, Anchor.FIRST_DOSE, Anchor.DISCHARGE]
    conditional = p.schedule[1]  # issue 9: seed guidance, a 20-30 min reading when warranted
    assert (conditional.from_min, conditional.to_min, conditional.when) == (
        20, 30, ("elevated_baseline", "first_session", "dose_increase"),
    )  # fmt: skip
    assert all(not x.when for x in P["kap-default"].schedule)
    assert p.min_observation_for(Route.SUBLINGUAL) == 150
    assert p.dose_limits[Route.BUCCAL].max_mg == 400.0
    # a route the protocol has no minimum for falls back to its longest minimum
    assert p.min_observation_for(Route.IV) == 150


def test_a_copy_of_a_preset_loads_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "clinic.toml"
    path.write_text(KAP_TEXT.replace('id = "kap-default"', 'id = "clinic"'), encoding="utf-8")
    proto = load_protocol_file(path)
    assert proto.id == "clinic"
    assert proto.file == "clinic.toml"
    assert proto.vital_rules == P["kap-default"].vital_rules


# ------------------------------------------------------------------ malformed


def edit(old: str, new: str, text: str = KAP_TEXT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def expect(text: str, key: str, *fragments: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as exc:
        load_protocol_text(text, "bad.toml")
    err = exc.value
    assert err.source == "bad.toml"
    assert err.key == key
    for fragment in fragments:
        assert fragment in err.expected
    assert str(err) == f"bad.toml: key '{key}': expected {err.expected}"
    return err


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(KAP_TEXT + "\nthis is = = not toml\n", encoding="utf-8")
    with pytest.raises(ProtocolError) as exc:
        load_protocol_file(path)
    assert exc.value.source == "broken.toml"
    assert exc.value.key == "(file)"
    assert "valid TOML" in exc.value.expected
    assert str(exc.value).startswith("broken.toml: ")


def test_duplicate_toml_key_is_bad_toml() -> None:
    expect(edit('version = "1.0"', 'version = "1.0"\nversion = "1.1"'), "(file)", "valid TOML")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(KAP_TEXT.replace("Vertigo", "Vértigo").encode("latin-1"))
    with pytest.raises(ProtocolError) as exc:
        load_protocol_file(path)
    assert (exc.value.source, exc.value.key) == ("latin1.toml", "(file)")
    assert "UTF-8" in exc.value.expected


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ('id = "kap-default"\n', "", "id", "missing"),
        ('version = "1.0"\n', "", "version", "missing"),
        ('id = "pre-dose-elevated"\nphase = "pre_dose"\n', 'id = "pre-dose-elevated"\n',
         "vital_rules[0].phase", "missing"),
        ('band = "alert"\nsystolic_gt = 180', "systolic_gt = 180", "vital_rules[1].band",
         "missing"),
        ('action = "Critical blood pressure: call the clinician now."\n', "",
         "vital_rules[2].action", "missing"),
        ('label = "20-30 min after dose"\n', "", "schedule[1].label", "missing"),
        ('anchor = "each_dose"\n', "", "schedule[1].anchor", "missing"),
        ('medications = ["racemic ketamine", "esketamine"]\n', "", "dosing.medications",
         "missing"),
        ("[observation]\n", "[observation_typo]\n", "observation_typo", "a known key"),
    ],
)  # fmt: skip
def test_missing_keys(old: str, new: str, key: str, fragment: str) -> None:
    expect(edit(old, new), key, fragment)


@pytest.mark.parametrize(
    "table", ["vital_rules", "schedule", "checklist", "discharge", "side_effects", "dosing"]
)
def test_missing_tables(table: str) -> None:
    data = tomllib.loads(KAP_TEXT)
    del data[table]
    with pytest.raises(ProtocolError) as exc:
        parse_protocol(data, "bad.toml")
    assert (exc.value.source, exc.value.key) == ("bad.toml", table)
    assert "(missing)" in exc.value.expected
    data[table] = "oops"
    with pytest.raises(ProtocolError, match=f"key '{table}': expected .*got 'oops'"):
        parse_protocol(data, "bad.toml")


def test_missing_observation_table() -> None:
    start = KAP_TEXT.index("[observation]")
    end = KAP_TEXT.index("[[vital_rules]]")
    expect(KAP_TEXT[:start] + KAP_TEXT[end:], "observation", "a table (missing)")


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ('version = "1.0"', "version = 1", "version", "text"),
        ('title = "Ketamine-assisted psychotherapy, default monitoring"', 'title = ""', "title",
         "non-empty text"),
        ("from_min = 20", 'from_min = "20"', "schedule[1].from_min", "whole number"),
        ("from_min = 20", "from_min = 20.5", "schedule[1].from_min", "whole number"),
        ("to_min = 30", "to_min = -30", "schedule[1].to_min", "whole number ≥ 0"),
        ("systolic_gte = 140", "systolic_gte = true", "vital_rules[0].systolic_gte",
         "whole number"),
        ("max_mg = 84", 'max_mg = "84"', "dose_limits.intranasal.max_mg", "positive number"),
        ("max_mg = 84", "max_mg = 0", "dose_limits.intranasal.max_mg", "positive number"),
        ('label = "Weight today"\nkind = "number"', 'label = "Weight today"\nkind = "slider"',
         "checklist[6].kind", "'yes_no' or 'number'"),
        ('id = "consent"\n', 'id = "consent"\nrequired = "yes"\n', "checklist[0].required",
         "true or false"),
        ('routes = ["im", "sc", "sublingual", "buccal", "iv", "oral", "intranasal"]',
         'routes = "im"', "dosing.routes", "list of text"),
        ("intranasal_device_mg = 28", "intranasal_device_mg = -28",
         "dosing.intranasal_device_mg", "positive number"),
        ("[dose_limits.iv]\nmax_mg_per_kg = 1.0", "[dose_limits]\niv = 1.0", "dose_limits.iv",
         "a table"),
        ("minimum_minutes = { iv = 120,", "minimum_minutes = { iv = 12.5,",
         "observation.minimum_minutes.iv", "whole number"),
        ('computed = "min_observation"', 'computed = "clock"', "discharge[4].computed",
         "'min_observation'"),
        ("recheck_after_min = 5", 'recheck_after_min = "5"', "recheck_after_min",
         "whole number"),
    ],
)  # fmt: skip
def test_wrong_types(old: str, new: str, key: str, fragment: str) -> None:
    err = expect(edit(old, new), key, fragment)
    assert "got" in err.expected


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ('band = "alert"', 'band = "severe"', "vital_rules[1].band", "'critical'"),
        ('band = "elevated"', 'band = "normal"', "vital_rules[0].band", "normal is what"),
        ('phase = "post_dose"', 'phase = "during"', "vital_rules[1].phase", "'post_dose'"),
        ('anchor = "each_dose"', 'anchor = "every_dose"', "schedule[1].anchor", "'each_dose'"),
        ('routes = ["im",', 'routes = ["intramuscular",', "dosing.routes", "'intramuscular'"),
        ("{ iv = 120,", "{ rectal = 120,", "observation.minimum_minutes.rectal", "a route"),
        ("[dose_limits.iv]", "[dose_limits.infusion]", "dose_limits.infusion", "a route"),
        ('label = "Nasal discomfort"\nroutes = ["intranasal"]',
         'label = "Nasal discomfort"\nroutes = ["nose"]', "side_effects[20].routes", "'nose'"),
    ],
)  # fmt: skip
def test_unknown_choices(old: str, new: str, key: str, fragment: str) -> None:
    expect(edit(old, new), key, fragment)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('id = "critical-bp"', 'id = "tachycardia"', "vital_rules.id"),
        ('id = "pre-discharge"', 'id = "pre-dose"', "schedule.id"),
        ('id = "fasting"', 'id = "consent"', "checklist.id"),
        ('id = "steady"', 'id = "alert_oriented"', "discharge.id"),
        ('id = "vertigo"', 'id = "dizziness"', "side_effects.id"),
    ],
)
def test_duplicate_ids(old: str, new: str, key: str) -> None:
    err = expect(edit(old, new), key, "unique ids")
    duplicate = new.split('"')[1]
    assert f"'{duplicate}' appears twice" in err.expected


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("systolic_gt = 180", "systolc_gt = 180", "vital_rules[1].systolc_gt"),
        ("from_min = 20", "from_mins = 20", "schedule[1].from_mins"),
        ("[dose_limits.im]\nmax_mg_per_kg = 1.5", "[dose_limits.im]\nmax_mgkg = 1.5",
         "dose_limits.im.max_mgkg"),
        ("[observation]\n", "[observation]\nminimum = 5\n", "observation.minimum"),
        ("recheck_after_min = 5", "recheck_after_mins = 5", "recheck_after_mins"),
        ("intranasal_device_mg = 28", "device_mg = 28", "dosing.device_mg"),
        ('label = "Dry mouth"', 'label = "Dry mouth"\nseverity = "mild"',
         "side_effects[17].severity"),
    ],
)  # fmt: skip
def test_misspelt_keys_are_refused_not_ignored(old: str, new: str, key: str) -> None:
    expect(edit(old, new), key, "a known key")


def test_schedule_consistency() -> None:
    expect(edit("to_min = 30", "to_min = 10"), "schedule[1].to_min", "≥ from_min (20)")
    expect(
        edit("to_min = 30", "to_min = 30\nrepeat_count = 3"),
        "schedule[1].repeat_every_min",
        "positive number of minutes",
    )
    expect(
        edit(
            'anchor = "discharge"', 'anchor = "discharge"\nrepeat_count = 2\nrepeat_every_min = 5'
        ),
        "schedule[2].repeat_count",
        "does not repeat",
    )
    expect(
        edit("to_min = 30", "to_min = 30\nrepeat_count = 0"),
        "schedule[1].repeat_count",
        "whole number ≥ 1",
    )


def test_issue9_schedule_and_rule_keys_are_checked() -> None:
    expect(
        edit("to_min = 30", 'to_min = 30\nwhen = ["full_moon"]'),
        "schedule[1].when",
        "elevated_baseline, first_session, dose_increase",
        "'full_moon'",
    )
    expect(edit('anchor = "discharge"', 'anchor = "recheck"'), "schedule[2].anchor", "not recheck")
    expect(
        edit(
            'phase = "post_dose"\nband = "alert"\nsystolic_rise_gte',
            'phase = "any"\nband = "alert"\nsystolic_rise_gte',
        ),
        "vital_rules[5].phase",
        "post_dose",
    )
    expect(edit("missed_after_min = 15", "missed_after_min = 0"), "missed_after_min", "≥ 1")
    proto = load_protocol_text(
        edit("recheck_window_min = 5", "recheck_window_min = 10"), "clinic.toml"
    )
    assert (proto.recheck_window_min, proto.missed_after_min) == (10, 15)


def test_rule_without_any_condition() -> None:
    text = edit("pulse_gt = 120\n", "")
    expect(text, "vital_rules[3].id", "at least one condition")


def test_empty_lists() -> None:
    expect(edit('medications = ["racemic ketamine", "esketamine"]', "medications = []"),
           "dosing.medications", "at least one")  # fmt: skip
    routes = 'routes = ["im", "sc", "sublingual", "buccal", "iv", "oral", "intranasal"]'
    expect(edit(routes, "routes = []"), "dosing.routes", "at least one")
    start = KAP_TEXT.index("minimum_minutes = {")
    end = KAP_TEXT.index("\n", start)
    expect(KAP_TEXT[:start] + "minimum_minutes = {}" + KAP_TEXT[end:],
           "observation.minimum_minutes", "at least one route")  # fmt: skip


# ------------------------------------------------------------------ issue 9: dose gates as data


def test_dose_gate_keys_of_the_presets() -> None:
    for proto in P.values():
        assert proto.device_medications == ("esketamine",)
        assert proto.device_gap_min == 5
        assert [b.value for b in proto.booster_gate_bands] == ["alert", "critical"]
        assert {c.id for c in proto.checklist if c.blocks_dose} == {
            "consent",
            "ride_home",
            "contraindications",
        }
    nasal = P["spravato-rems"].dose_limits[Route.INTRANASAL]
    assert (nasal.max_mg, nasal.session_max_mg, nasal.ceiling_mg) == (84, 84, 168)
    iv = P["iv-infusion"].dose_limits[Route.IV]
    assert (iv.ceiling_mg_per_kg, iv.question_below_mg_per_kg) == (2.0, 0.1)


def test_dose_limit_defaults_when_a_file_omits_them() -> None:
    text = edit("ceiling_mg = 800\nquestion_below_mg = 40\n", "", KAP_TEXT)
    limit = load_protocol_text(text, "x.toml").dose_limits[Route.SUBLINGUAL]
    assert (limit.max_mg, limit.ceiling_mg, limit.question_below_mg) == (400, 800, 40)
    text = edit('device_medications = ["esketamine"]\n', "", KAP_TEXT)
    text = edit("device_gap_min = 5\n", "", text)
    proto = load_protocol_text(text, "x.toml")
    assert (proto.device_medications, proto.device_gap_min) == (("esketamine",), 5)


@pytest.mark.parametrize(
    ("old", "new", "key", "fragment"),
    [
        ("max_mg = 400\nceiling_mg = 800", "max_mg = 400\nceiling_mg = 300",
         "dose_limits.sublingual.ceiling_mg", "a number ≥ max_mg (400), got 300"),
        ("question_below_mg = 40\n", "question_below_mg = 500\n",
         "dose_limits.sublingual.question_below_mg", "a number ≤ max_mg (400)"),
        ('booster_gate_bands = ["alert", "critical"]', 'booster_gate_bands = ["normal"]',
         "dosing.booster_gate_bands", "bands among elevated, alert, critical, got 'normal'"),
        ('booster_gate_bands = ["alert", "critical"]', 'booster_gate_bands = ["severe"]',
         "dosing.booster_gate_bands", "got 'severe'"),
        ("device_gap_min = 5", "device_gap_min = -1", "dosing.device_gap_min", "a whole number"),
        ("device_gap_min = 5", 'device_gap_min = "5"', "dosing.device_gap_min", "a whole number"),
        ('device_medications = ["esketamine"]', "device_medications = 1",
         "dosing.device_medications", "a list of text values"),
        ('"Consent on file"\nblocks_dose = true', '"Consent on file"\nblocks_dose = "yes"',
         "checklist[0].blocks_dose", "true or false"),
        ('unit = "kg"', 'unit = "kg"\nblocks_dose = true', "checklist[6].blocks_dose",
         "false on a number item"),
        ("session_max_mg = 84", "session_max_mg = 0", "dose_limits.intranasal.session_max_mg",
         "a positive number"),
        ("session_max_mg = 84", "session_maximum_mg = 84",
         "dose_limits.intranasal.session_maximum_mg", "a known key"),
        ("device_gap_min = 5", "device_gap = 5", "dosing.device_gap", "a known key"),
        ('"Consent on file"\nblocks_dose = true', '"Consent on file"\nblocks = true',
         "checklist[0].blocks", "a known key"),
    ],
)  # fmt: skip
def test_bad_dose_gate_keys_name_file_key_and_expected(
    old: str, new: str, key: str, fragment: str
) -> None:
    expect(edit(old, new), key, fragment)


# ------------------------------------------------------------------ parsed once


def test_a_text_is_parsed_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """``kapdesk check`` reads the shipped files twice and the pinned copies of the same
    texts once more: each distinct text is parsed once, and every caller gets the same
    (immutable) protocol; another text, or the same text under another name, is its own."""
    parsed: list[str] = []
    loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parsed.append(text) or loads(text))
    text = KAP_TEXT + "\n# parsed once\n"
    first = load_protocol_text(text, "kap.toml")
    assert load_protocol_text(text, "kap.toml") is first
    assert parsed == [text]
    assert builtin_protocols() == builtin_protocols()
    assert builtin_protocols() is not builtin_protocols()  # a dict each caller may change
    other = load_protocol_text(text + "\n", "kap.toml")
    assert other is not first
    assert other.sha256 != first.sha256
    assert load_protocol_text(text, "copy.toml") is not first
    with pytest.raises(ProtocolError):
        load_protocol_text("id = ", "broken.toml")
    with pytest.raises(ProtocolError):  # a failure is not remembered as a protocol
        load_protocol_text("id = ", "broken.toml")
