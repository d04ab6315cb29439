"""merge_persons: the sheet's contact persons laid over Zoho's, so an update keeps every person's ID."""

from __future__ import annotations

from app.jobs.importing.decide import same_values
from app.jobs.importing.identities import merge_persons

ZOHO = [
    {"contact_person_id": "1", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
     "phone": "100", "is_primary_contact": True},
    {"contact_person_id": "2", "first_name": "Charles", "last_name": "Babbage", "email": "",
     "phone": "200", "is_primary_contact": False},
]


def test_persons_are_matched_by_email_then_by_name_and_the_others_are_kept_by_id() -> None:
    sheet = [{"email": "ADA@example.com", "phone": "101", "is_primary_contact": True},
             {"first_name": "charles", "last_name": "BABBAGE", "phone": "201", "is_primary_contact": False},
             {"first_name": "Grace", "email": "grace@example.com", "is_primary_contact": False}]
    assert merge_persons(sheet, ZOHO) == [
        {"contact_person_id": "1", "email": "ADA@example.com", "phone": "101", "is_primary_contact": True},
        {"contact_person_id": "2", "first_name": "charles", "last_name": "BABBAGE", "phone": "201",
         "is_primary_contact": False},
        {"first_name": "Grace", "email": "grace@example.com", "is_primary_contact": False},
    ]


def test_a_new_primary_in_the_sheet_demotes_the_persons_it_does_not_mention() -> None:
    sheet = [{"email": "grace@example.com", "is_primary_contact": True}]
    assert merge_persons(sheet, ZOHO) == [
        {"contact_person_id": "1", "is_primary_contact": False},
        {"contact_person_id": "2", "is_primary_contact": False},
        {"email": "grace@example.com", "is_primary_contact": True},
    ]


def test_merging_again_changes_nothing_and_equal_values_compare_equal() -> None:
    sheet = [{"email": "ada@example.com", "phone": "100", "is_primary_contact": True}]
    once = merge_persons(sheet, ZOHO)
    assert merge_persons(once, ZOHO) == once  # a resent update after a lost answer is merged twice
    assert same_values({"contact_persons": once}, {"contact_persons": ZOHO})
    assert not same_values({"contact_persons": merge_persons([{"email": "ada@example.com", "phone": "9"}], ZOHO)},
                           {"contact_persons": ZOHO})
