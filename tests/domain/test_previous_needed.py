"""classify looks at no more earlier readings than previous_needed says: the service reads
only those (the latest of the phase), whatever the session's length."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kapdesk.domain.protocol import Phase, Protocol, builtin_protocols
from kapdesk.domain.vitals import VitalsInput, classify, previous_needed

PROTOCOLS = sorted(builtin_protocols().values(), key=lambda p: p.id)
readings = st.builds(
    VitalsInput,
    st.integers(80, 230),
    st.integers(40, 130),
    st.one_of(st.none(), st.integers(40, 150)),
    st.one_of(st.none(), st.integers(80, 100)),
)


def test_the_builtin_protocols_look_at_the_reading_before() -> None:
    for protocol in PROTOCOLS:
        assert previous_needed(protocol, Phase.POST_DOSE) == 1, protocol.id


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(PROTOCOLS),
    st.sampled_from([Phase.PRE_DOSE, Phase.POST_DOSE]),
    readings,
    st.lists(readings, max_size=8),
    st.one_of(st.none(), readings),
)
def test_older_readings_change_nothing(
    protocol: Protocol,
    phase: Phase,
    reading: VitalsInput,
    previous: list[VitalsInput],
    baseline: VitalsInput | None,
) -> None:
    needed = previous_needed(protocol, phase)
    latest = previous[len(previous) - needed :] if needed else []
    full = classify(reading, protocol, phase, previous, baseline)
    assert classify(reading, protocol, phase, latest, baseline) == full
