import pytest
from shapely.geometry import LineString

from railwatch.errors import InputError
from railwatch.movement.network import Network
from railwatch.records import Landmark, Track


def test_border_chain_is_connected_with_countries(network, sites):
    kp_len = sites[0].track("tumangang/main").length_m
    bridge_len = sites[1].track("friendship-bridge/main").length_m
    r = network.route(("tumangang/main", kp_len - 100.0), ("khasan/main", 200.0))
    assert r is not None
    assert r.distance_m == pytest.approx(100.0 + bridge_len + 200.0, abs=2.0)
    assert [lm.id for lm in r.landmarks] == ["fb-kp-end", "fb-border", "fb-ru-end"]
    assert r.countries == ["KP", "RU"]
    assert r.crossed_border is True
    assert network.country_at(("friendship-bridge/main", 100.0)) == "KP"
    assert network.country_at(("friendship-bridge/main", 500.0)) == "RU"


def test_route_reversed_has_same_length_and_reversed_landmarks(network, sites):
    kp_len = sites[0].track("tumangang/main").length_m
    a, b = ("tumangang/main", kp_len - 100.0), ("khasan/main", 200.0)
    there, back = network.route(a, b), network.route(b, a)
    assert back.distance_m == pytest.approx(there.distance_m, abs=1e-6)
    assert [lm.id for lm in back.landmarks] == ["fb-ru-end", "fb-border", "fb-kp-end"]
    assert back.countries == ["RU", "KP"]


def test_within_one_country_no_crossing(network):
    r = network.route(("khasan/main", 100.0), ("khasan/main", 1700.0))
    assert r.distance_m == pytest.approx(1600.0, abs=0.01)
    assert not r.crossed_border
    assert [lm.id for lm in r.landmarks] == ["khasan-station"]


def test_siding_joined_where_its_end_lies_on_the_main_line(network):
    # khasan/2 starts on khasan/main's interior (split there); yard-1 ends on a vertex of tumangang/main.
    r = network.route(("khasan/2", 10.0), ("khasan/main", 100.0))
    assert r is not None and r.distance_m < 1200.0
    assert [leg.track for leg in r.legs] == ["khasan/2", "khasan/main"]
    assert network.route(("tumangang/yard-1", 100.0), ("khasan/main", 10.0)) is not None


def _line(x0, x1, y=42.0):
    return LineString([(x0, y), (x1, y)])


def test_endpoint_tolerance_decides_joins():
    # 0.0001 deg lon ~ 8.3 m at 42N: joined; 0.0003 deg ~ 25 m: not joined.
    a = Track("a", _line(130.0, 130.01), country="KP")
    b = Track("b", _line(130.0101, 130.02), country="KP")
    c = Track("c", _line(130.0203, 130.03), country="KP")
    net = Network([a, b, c])
    assert net.route(("a", 0.0), ("b", 10.0)) is not None
    assert net.route(("b", 0.0), ("c", 10.0)) is None
    assert net.distance_m(("a", 0.0), ("c", 0.0)) == float("inf")


def test_border_landmark_without_track_is_snapped_and_country_inferred():
    a = Track("a", _line(130.0, 130.01), country="KP")
    bridge = Track("bridge", _line(130.01, 130.02), country=None)
    c = Track("c", _line(130.02, 130.03), country="RU")
    border = Landmark("b1", "border", "border", LineString([(130.015, 42.0), (130.015, 42.0)]).centroid)
    net = Network([a, bridge, c], [border])
    (placed,) = net.landmarks
    assert placed.track == "bridge" and placed.chainage_m == pytest.approx(414.0, abs=5.0)
    assert net.country_at(("bridge", 100.0)) == "KP"
    assert net.country_at(("bridge", 700.0)) == "RU"
    assert net.route(("a", 100.0), ("bridge", 200.0)).crossed_border is False
    assert net.route(("a", 100.0), ("c", 200.0)).crossed_border is True


def test_unknown_track_and_empty_network_are_typed_errors(network):
    with pytest.raises(InputError, match="nowhere/1"):
        network.route(("nowhere/1", 0.0), ("khasan/main", 0.0))
    with pytest.raises(InputError):
        Network([])


def test_real_catalog_connects_tumangang_bridge_khasan():
    from railwatch import sites
    from railwatch.movement.network import from_sites

    net = from_sites([sites.load(n) for n in ("tumangang", "friendship-bridge", "khasan")])
    r = net.route(("tumangang/yard-3", 100.0), ("khasan/4", 100.0))
    assert r is not None
    assert r.crossed_border and r.countries == ["KP", "RU"]
    assert [lm.kind for lm in r.landmarks] == ["bridge-end", "border", "bridge-end"]
    assert [leg.track for leg in r.legs][:3] == ["tumangang/yard-3", "tumangang/ladder-east", "tumangang/main"]
    assert 4000 < r.distance_m < 6000
    assert net.country_at(("friendship-bridge/main", 100.0)) == "KP"
    assert net.country_at(("friendship-bridge/main", 2000.0)) == "RU"
