from hybrid.explain.recommendation import recommend
from hybrid.whatif.compare import deltas, differing_inputs, flatten, outcome_row
from tests.conftest import make_scenario


def test_differing_inputs_pick_out_exactly_what_changed():
    a = make_scenario()
    b = make_scenario(economics__budget=90000, factors__error_cost=4)
    c = make_scenario(name="other name")
    assert differing_inputs([a, b, c]) == ["factors.error_cost", "economics.budget"]
    assert differing_inputs([a, c]) == []  # the name is not an input


def test_flatten_uses_dotted_paths():
    f = flatten(make_scenario())
    assert f["economics.budget"] == 50000 and f["factors.edge_cases"] == 2


def test_deltas_against_baseline(policy):
    base = recommend(make_scenario(), policy)
    same = recommend(make_scenario(name="copy"), policy)
    assert deltas(base, same) == []
    riskier = recommend(make_scenario(factors__error_cost=5), policy)
    moved = {d.field: d for d in deltas(base, riskier)}
    assert "synthetic_share" in moved and moved["synthetic_share"].change < 0
    assert moved["label"].current == "human"
    assert set(outcome_row(base)) >= {"label", "cost_per_point", "expert_anchor"}
