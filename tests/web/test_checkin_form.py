"""The form maps to the API's check-in shape, and CheckInCreateSchema alone judges it."""

from __future__ import annotations

import copy

from werkzeug.datastructures import MultiDict

from teleframe.api.sessions.schemas import CheckInCreateSchema
from teleframe.web.checkin_form import answers_to_form, form_to_answers, validate
from tests.samples import GOOD_CHECKIN
from tests.web.forms import GOOD_FORM


def _form(**changes: str | None) -> MultiDict[str, str]:
    values = {**GOOD_FORM, **changes}
    return MultiDict({key: value for key, value in values.items() if value is not None})


def test_a_filled_in_form_is_the_api_check_in():
    answers, errors = validate(_form())
    expected = copy.deepcopy(GOOD_CHECKIN)
    expected["location"]["same_as_last_time"] = None
    assert errors == {}
    assert answers == CheckInCreateSchema().load(expected)


def test_an_unanswered_question_is_none_never_false():
    answers, _ = form_to_answers(_form(**{"privacy.headphones": None, "readiness.driving": None}))
    assert answers["privacy"]["headphones"] is None
    assert answers["readiness"]["not_driving"] is None
    assert answers["location"]["same_as_last_time"] is None
    answers, _ = form_to_answers(_form(**{"others_present.any": None}))
    assert answers["others_present"] is None


def test_driving_yes_means_not_driving_false():
    answers, errors = validate(_form(**{"readiness.driving": "yes"}))
    assert errors == {}
    assert answers is not None and answers["readiness"]["not_driving"] is False


def test_an_unexpected_radio_value_is_refused_by_the_schema():
    answers, errors = validate(_form(**{"privacy.private_space": "1"}))
    assert answers is None
    assert errors == {"privacy.private_space": ["Please choose yes or no."]}


def test_nobody_present_is_an_empty_list():
    answers, errors = validate(_form(**{"others_present.any": "no"}))
    assert errors == {}
    assert answers is not None and answers["others_present"] == []


def test_person_errors_are_shown_on_the_row_they_came_from():
    form = _form(
        **{
            "others_present.0.relationship": None,
            "others_present.0.minor": None,
            "others_present.0.client_consents_to_hear": None,
            "others_present.2.relationship": "child",
            "others_present.2.client_consents_to_hear": "yes",
        }
    )
    answers, errors = validate(form)
    assert answers is None
    assert errors == {"others_present.2.minor": ["Please answer this question."]}


def test_yes_with_nobody_named_asks_about_the_first_person():
    form = _form(
        **{
            "others_present.0.relationship": None,
            "others_present.0.minor": None,
            "others_present.0.client_consents_to_hear": None,
        }
    )
    _, errors = validate(form)
    assert set(errors) == {
        "others_present.0.relationship",
        "others_present.0.minor",
        "others_present.0.client_consents_to_hear",
    }


def test_bad_phone_and_region_get_plain_messages():
    _, errors = validate(
        _form(**{"backup.callback_phone": "call me", "location.subdivision": "Narnia"})
    )
    assert errors["backup.callback_phone"] == [
        "Enter the number with its country code, for example +1 510 555 0123."
    ]
    assert "location.subdivision" in errors


def test_stored_answers_fill_the_form_again():
    values = answers_to_form(GOOD_CHECKIN)
    assert values["location.subdivision"] == "CA"
    assert values["readiness.driving"] == "no"
    answers, errors = validate(MultiDict(values))
    expected = copy.deepcopy(GOOD_CHECKIN)
    expected["location"]["same_as_last_time"] = None
    assert errors == {}
    assert answers == CheckInCreateSchema().load(expected)
