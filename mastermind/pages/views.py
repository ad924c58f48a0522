"""The home page and the static pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mastermind.pages import home_sections


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    sections, context = [], {}
    for _name, section in home_sections:
        contribution = section(request)
        if contribution is not None:
            template, section_context = contribution
            sections.append(template)
            context.update(section_context)
    return render(request, "mastermind/home.html", {"home_sections": sections, **context})


def page(template: str):
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template)

    return view
