"""Reads of the form definitions (the questions: no case data, open to every signed-in person)."""

from collections.abc import Iterator

from agency_forms.models import FormDefinition, FormKind

TYPE_LABELS = {
    "yes_no": "Yes, no, not known or not applicable, with notes",
    "text": "Short text",
    "narrative": "Narrative",
    "number": "Number",
    "date": "Date",
    "choice": "One of a list",
}
PREFILL_LABELS = {
    "family_name": "the child's family name",
    "given_names": "the child's given names",
    "date_of_birth": "the child's date of birth",
    "date_of_death": "the date of death",
    "sex": "the child's sex",
    "nhs_number": "the NHS number",
    "place_of_death": "the place of death",
    "address": "the child's address",
}


def form_definitions() -> list[FormDefinition]:
    """Every version of every form, the reporting form first, newest version first."""
    order = {kind: n for n, kind in enumerate(FormKind.values)}
    return sorted(FormDefinition.objects.all(), key=lambda d: (order[d.kind], -d.version))


def answer_described(question: dict) -> str:
    """What an answer to the question is, in words: its type, and its options or unit."""
    kind = question["type"]
    if kind == "choice":
        return "One of: " + "; ".join(option["label"] for option in question["options"])
    if kind == "number":
        places = question.get("decimal_places", 0)
        return f"Number of {question['unit']}, {question['min']} to {question['max']}" + (
            f", {places} decimal place{'s' if places > 1 else ''}" if places else ""
        )
    return TYPE_LABELS[kind]


DICTIONARY_COLUMNS = [
    "form",
    "version",
    "section",
    "section_title",
    "question_key",
    "question",
    "type",
    "answer",
    "identifying",
    "prefilled_from",
]


def data_dictionary_rows() -> Iterator[list[object]]:
    """One row per question of every version of every form (the data dictionary's CSV)."""
    for definition in form_definitions():
        for section, question in definition.questions():
            yield [
                definition.kind,
                definition.version,
                section["key"],
                section["title"],
                question["key"],
                question["text"],
                question["type"],
                answer_described(question),
                "yes" if question["identifying"] else "no",
                question.get("prefill", ""),
            ]
