"""Each run's scores are one range of keys; old runs give theirs up and keep their record."""

import pytest
from django.forms import ModelChoiceField
from django.utils import translation

from accounts.models import Role, Team
from customers.models import Customer
from insights.aside import AsideError
from insights.forms import CompareRunsForm
from insights.models import ChurnWarning, CustomerScore, RunStatus, ScoreRun, score_key
from insights.services import prune_old_scores, run_scoring, score_for
from insights.tests.conftest import AS_OF
from sales.models import CustomerStats


def test_scores_are_keyed_by_run_and_customer_and_warnings_point_at_them(simulated_base):
    run = run_scoring(AS_OF)
    scores = CustomerScore.objects.of_run(run.pk)
    assert all(s.pk == score_key(run.pk, s.customer_id) for s in scores)
    assert scores.count() == CustomerStats.objects.count()
    warning = ChurnWarning.objects.filter(run=run).select_related("score").first()
    assert warning is not None
    assert (warning.score.run_id, warning.score.customer_id) == (run.pk, warning.customer_id)
    assert score_for(simulated_base[0]) == CustomerScore.objects.get(
        run=run, customer=simulated_base[0]
    )


def test_only_the_newest_runs_keep_their_scores(simulated_base, settings):
    settings.INSIGHTS = {**settings.INSIGHTS, "keep_runs": 2}
    runs = [run_scoring(AS_OF) for _ in range(3)]
    assert all(run.status == RunStatus.SUCCEEDED for run in runs)
    assert CustomerScore.objects.of_run(runs[0].pk).exists()  # the run itself deletes nothing
    prune_old_scores()
    oldest, *kept = runs
    assert not CustomerScore.objects.of_run(oldest.pk).exists()
    assert not ChurnWarning.objects.filter(run=oldest).exists()
    assert ScoreRun.objects.filter(pk=oldest.pk).exists()  # the record and its aggregates stay
    buyers = CustomerStats.objects.count()
    assert [CustomerScore.objects.of_run(run.pk).count() for run in kept] == [buyers, buyers]
    assert all(ChurnWarning.objects.filter(run=run).exists() for run in kept)


@pytest.mark.django_db(transaction=True)
def test_a_committed_run_has_every_score_and_warning(simulated_base):
    run = run_scoring(AS_OF)  # as the nightly job runs it: no enclosing transaction
    assert run.status == RunStatus.SUCCEEDED, run.message
    buyers = CustomerStats.objects.count()
    assert CustomerScore.objects.of_run(run.pk).count() == buyers == run.counts["customers_scored"]
    warned = ChurnWarning.objects.filter(run=run).select_related("score")
    assert warned.exists() and all(w.score.customer_id == w.customer_id for w in warned)
    # One summary for everyone, one per team and one per rep owning scored customers.
    reps = Customer.objects.filter(owner__role=Role.REP).values_list("owner_id", flat=True)
    assert set(run.summary) == {
        "all",
        *(f"team:{t}" for t in Team.objects.values_list("pk", flat=True)),
        *(f"owner:{rep}" for rep in set(reps)),
    }


@pytest.mark.django_db(transaction=True)
def test_a_run_that_breaks_in_its_aggregates_leaves_no_scores(simulated_base, monkeypatch):
    good = run_scoring(AS_OF)

    def broken(*args: object) -> None:
        raise RuntimeError("aggregates broke")

    # The aggregates are computed in a forked process while the scores are being written.
    monkeypatch.setattr("insights.services.dashboard_summary", broken)
    with pytest.raises(AsideError, match="aggregates broke"):
        run_scoring(AS_OF)
    broken_run = ScoreRun.objects.exclude(pk=good.pk).get()
    assert not CustomerScore.objects.of_run(broken_run.pk).exists()
    assert not ChurnWarning.objects.filter(run=broken_run).exists()
    assert ScoreRun.objects.latest_good() == good


def test_runs_are_compared_only_while_their_scores_are_kept(simulated_base, settings):
    settings.INSIGHTS = {**settings.INSIGHTS, "keep_runs": 2}
    _oldest, *kept = [run_scoring(AS_OF) for _ in range(3)]
    prune_old_scores()
    field = CompareRunsForm().fields["before"]
    assert isinstance(field, ModelChoiceField)
    offered = field.queryset
    assert sorted(run.pk for run in offered) == sorted(run.pk for run in kept)
    with translation.override("zh-hans"):
        assert str(kept[0]) == f"{kept[0].as_of} (成功)"
