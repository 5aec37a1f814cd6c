"""Who acted: the request's or job's actor when it is the user's, else the user in person."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from core.actors import Actor, ActorKind, ActorMiddleware, acting_as, actor_for, set_request_actor


def test_a_user_acts_in_person_by_default(rep: Any) -> None:
    assert actor_for(rep) == Actor(ActorKind.USER, "rep", user_id=rep.pk)


def test_no_user_is_the_system() -> None:
    assert actor_for(None).kind == ActorKind.JOB


def test_an_import_job_acts_for_its_user(rep: Any) -> None:
    with acting_as(Actor.of_import(rep, 12)):
        assert actor_for(rep) == Actor(ActorKind.IMPORT, "rep", user_id=rep.pk, ref=12)
        assert actor_for(None).ref == 12
    assert actor_for(rep).kind == ActorKind.USER


def test_anothers_actor_is_not_borrowed(rep: Any, teammate: Any) -> None:
    with acting_as(Actor.of_token(rep, 3, "till")):
        assert actor_for(teammate) == Actor.of_user(teammate)


def test_the_middleware_clears_a_token_actor_after_the_request(rep: Any) -> None:
    seen: list[Actor] = []

    def view(request: HttpRequest) -> HttpResponse:
        set_request_actor(Actor.of_token(rep, 3, "till"))
        seen.append(actor_for(rep))
        return HttpResponse()

    ActorMiddleware(view)(HttpRequest())
    assert seen[0].kind == ActorKind.TOKEN
    assert actor_for(rep).kind == ActorKind.USER
