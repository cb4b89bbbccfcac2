"""The notification form as GOV.UK question pages, one per topic, then "check your answers".

What was typed waits in the session, as typed, until it is sent: nothing is saved half-done,
and every answer is checked again, with the rules that cross pages, on the check page.
"""

from dataclasses import dataclass

from django.http import HttpRequest, QueryDict

from cases.forms import SECTION_PAGES

PAGES = list(SECTION_PAGES)


@dataclass
class Draft:
    request: HttpRequest
    key: str

    @property
    def state(self) -> dict:
        return self.request.session.get(self.key) or {"pages": {}}

    def start(self, **extra) -> None:
        self.request.session[self.key] = {"pages": {}, **extra}

    def get(self, name: str, default=None):
        return self.state.get(name, default)

    def page(self, slug: str) -> QueryDict | None:
        answers = self.state["pages"].get(slug)
        return _query_dict(answers) if answers is not None else None

    def save_page(self, slug: str, post: QueryDict) -> None:
        state = self.state
        state["pages"][slug] = {k: post.getlist(k) for k in post if k != "csrfmiddlewaretoken"}
        self.request.session[self.key] = state

    def merged(self) -> QueryDict:
        answers: dict[str, list[str]] = {}
        for slug in PAGES:
            answers.update(self.state["pages"].get(slug, {}))
        return _query_dict(answers)

    def next_page(self, after: str) -> str | None:
        """The first page not answered yet, from the one after `after`; None: all answered."""
        done = self.state["pages"]
        later = PAGES[PAGES.index(after) + 1 :] + PAGES[: PAGES.index(after)]
        return next((slug for slug in later if slug not in done), None)

    def clear(self) -> None:
        self.request.session.pop(self.key, None)


def _query_dict(answers: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in answers.items():
        data.setlist(name, values)
    return data


def answers_elsewhere(form_class, panel, draft: Draft, section: str) -> dict:
    """The other pages' answers (as far as they are valid), for the rules that cross pages."""
    full = form_class(draft.merged(), panel=panel)
    full.is_valid()
    own = set(SECTION_PAGES[section][1])
    return {name: value for name, value in full.cleaned_data.items() if name not in own}


def page_of(field_name: str) -> str:
    return next((slug for slug, (_, names) in SECTION_PAGES.items() if field_name in names), "")
