"""The renewal link in the question email: GET shows the choice, only POST stores it.

Mail scanners follow links, so opening the link changes nothing; the page has one button
per answer (the one the email's link named first). No sign-in needed: the signed link is
the capability, for one membership and one term.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from groups import signing
from groups.models import RenewalAnswer
from groups.services import renewal


@require_http_methods(["GET", "POST"])
def renewal_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            membership = renewal.answer(token=token, answer=request.POST.get("answer", ""))
            done = True
        else:
            membership = renewal.membership_for_token(token)
            done = False
    except signing.BadToken as error:
        return render(
            request,
            "groups/member/renewal_invalid.html",
            {"expired": error.expired},
            status=410 if error.expired else 404,
        )
    proposed = request.GET.get("answer")
    context = {
        "membership": membership,
        "group": membership.group,
        "done": done,
        "proposed": proposed if proposed in RenewalAnswer.values else "",
        "answers": RenewalAnswer,
    }
    return render(request, "groups/member/renewal.html", context)


urlpatterns = [
    path("groups/renewal/<str:token>/", renewal_answer, name="renewal_answer"),
]
