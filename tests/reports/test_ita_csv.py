"""OSHA ITA files: whole CSV strings, headers exactly as the reference, codes, and validation that lists
every problem before anything is written."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from support.report_data import LOG, osha_case

from reports import ita_csv
from reports.ita_csv import ItaError

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "reference" / "ita.json").read_text())

SUMMARY = (
    "establishment_name,ein,company_name,street_address,city,state,zip,naics_code,industry_description,size,"
    "establishment_type,year_filing_for,annual_average_employees,total_hours_worked,no_injuries_illnesses,"
    "total_deaths,total_dafw_cases,total_djtr_cases,total_other_cases,total_dafw_days,total_djtr_days,"
    "total_injuries,total_skin_disorders,total_respiratory_conditions,total_poisonings,total_hearing_loss,"
    "total_other_illnesses,change_reason\r\n"
    "Riverside Fabrication Plant,751234567,Riverside Metals LLC,1200 Harbor Rd,Baytown,TX,77520,332312,"
    "Fabricated structural metal manufacturing,22,1,2025,120,249600,1,1,1,1,4,12,27,4,1,0,0,1,1,\r\n"
)

CASES = (
    "establishment_name,year_of_filing,case_number,job_title,date_of_incident,incident_location,"
    "incident_description,incident_outcome,dafw_num_away,djtr_num_tr,type_of_incident,date_of_birth,"
    "date_of_hire,sex,treatment_facility_type,treatment_in_patient,time_started_work,time_of_incident,"
    "time_unknown,nar_before_incident,nar_what_happened,nar_injury_illness,nar_object_substance,"
    "date_of_death\r\n"
    "Riverside Fabrication Plant,2025,2025-001,Welder,02/03/2025,Weld Bay 1,"
    '"Laceration, left forearm; steel sheet edge",4,0,0,1,06/01/1988,04/15/2019,F,0,0,07:00,10:15,0,'
    "Moving a cut sheet to the weld table,The sheet slipped and its edge cut the left forearm,"
    '"Laceration, left forearm",Steel sheet edge,\r\n'
    "Riverside Fabrication Plant,2025,2025-002,Press operator,03/10/2025,Press Line 2,"
    '"Fracture, right index finger; press die",2,12,18,1,06/01/1988,04/15/2019,M,1,0,07:00,10:15,0,'
    'Clearing a jammed part,The ram cycled while he cleared the jam,"Fracture, right index finger",Press die,'
    "\r\n"
    "Riverside Fabrication Plant,2025,2025-003,Shipping clerk,04/22/2025,Shipping Dock,"
    "Lower back strain; wooden crate,3,0,9,1,06/01/1988,04/15/2019,M,0,0,07:00,,1,"
    "Moving a cut sheet to the weld table,The sheet slipped and its edge cut the left forearm,"
    '"Laceration, left forearm",Steel sheet edge,\r\n'
    "Riverside Fabrication Plant,2025,2025-004,Painter,06/05/2025,Paint Booth,"
    '"Contact dermatitis, both hands; xylene solvent",4,0,0,2,06/01/1988,04/15/2019,M,0,0,07:00,10:15,0,'
    "Moving a cut sheet to the weld table,The sheet slipped and its edge cut the left forearm,"
    '"Laceration, left forearm",Steel sheet edge,\r\n'
    "Riverside Fabrication Plant,2025,2025-005,Warehouse associate,07/09/2025,Shipping Dock,"
    '"Puncture wound, right palm; used syringe",4,0,0,6,06/01/1988,04/15/2019,F,0,0,07:00,10:15,0,'
    "Moving a cut sheet to the weld table,The sheet slipped and its edge cut the left forearm,"
    '"Laceration, left forearm",Steel sheet edge,\r\n'
    "Riverside Fabrication Plant,2025,2025-006,Erector,08/14/2025,Yard crane bay,"
    "Fatal head injuries; fall from a 6 m platform,1,0,0,1,06/01/1988,04/15/2019,M,1,1,07:00,10:15,0,"
    "Moving a cut sheet to the weld table,The sheet slipped and its edge cut the left forearm,"
    '"Laceration, left forearm",Steel sheet edge,08/16/2025\r\n'
    "Riverside Fabrication Plant,2025,2025-007,Press operator,11/03/2025,Press Line 2,"
    '"Noise-induced hearing loss, left ear; press noise",4,0,0,5,06/01/1988,04/15/2019,M,0,0,07:00,10:15,0,'
    "Moving a cut sheet to the weld table,The sheet slipped and its edge cut the left forearm,"
    '"Laceration, left forearm",Steel sheet edge,\r\n'
)


def test_summary_file_is_exactly_as_expected():
    assert ita_csv.summary_csv(LOG) == SUMMARY


def test_case_file_is_exactly_as_expected_and_never_names_anyone():
    text = ita_csv.cases_csv(LOG)
    assert text == CASES
    for name in ("Maria Lopez", "Siti", "Dr. Alan Reyes", "12 Elm St", "Baytown Urgent Care"):
        assert name not in text  # 1904.41(b): name, address, physician and facility are not submitted


def test_headers_are_the_reference_columns_in_order():
    summary = [c["name"] for c in sorted(REFERENCE["summary_300A_csv"]["columns"], key=lambda c: c["order"])]
    cases = [c["name"] for c in sorted(REFERENCE["case_300_301_csv"]["columns"], key=lambda c: c["order"])]
    assert len(summary) == 28 and len(cases) == 24
    assert next(csv.reader(io.StringIO(ita_csv.summary_csv(LOG)))) == summary
    assert next(csv.reader(io.StringIO(ita_csv.cases_csv(LOG)))) == cases


@pytest.mark.parametrize(
    ("employees", "code"), [(1, 1), (19, 1), (20, 21), (99, 21), (100, 22), (249, 22), (250, 3)]
)
def test_size_codes(employees, code):
    assert ita_csv.size_code(employees) == code


def test_a_year_without_cases_says_so_and_writes_zeros():
    empty = dataclasses.replace(LOG, cases=())
    row = list(csv.DictReader(io.StringIO(ita_csv.summary_csv(empty))))[0]
    assert row["no_injuries_illnesses"] == "2"
    assert [row[name] for name in ita_csv.SUMMARY_COLUMNS[15:27]] == ["0"] * 12
    assert ita_csv.cases_csv(empty) == CASES.split("\r\n")[0] + "\r\n"


def test_every_establishment_problem_is_listed_at_once():
    broken = dataclasses.replace(
        LOG,
        establishment=dataclasses.replace(
            LOG.establishment,
            company_name="",
            state="Texas",
            postal_code="7752",
            naics_code="3323",
            ein="12-345",
            establishment_type=7,
            annual_average_employees=None,
            total_hours_worked=0,
        ),
    )
    with pytest.raises(ItaError) as caught:
        ita_csv.summary_csv(broken)
    fields = [problem.split(":")[0] for problem in caught.value.problems]
    assert fields == [
        "company_name",
        "state",
        "zip",
        "naics_code",
        "ein",
        "establishment_type",
        "annual_average_employees",
        "total_hours_worked",
    ]
    assert str(caught.value).startswith(
        "cannot write the ITA 300A summary file: company_name: required; state:"
    )


def test_zip_plus_four_and_hyphenated_ein_are_accepted():
    establishment = dataclasses.replace(LOG.establishment, postal_code="77520-1234", ein="75-1234567")
    row = list(
        csv.DictReader(
            io.StringIO(ita_csv.summary_csv(dataclasses.replace(LOG, establishment=establishment)))
        )
    )
    assert (row[0]["zip"], row[0]["ein"]) == ("775201234", "751234567")


def test_case_problems_are_listed_per_case():
    cases = (
        osha_case(1, job_title=""),
        osha_case(2, days_away=200, outcome="days_away"),
        osha_case(3, outcome="death", died_on=None),
        osha_case(4, incident_date=LOG.cases[0].incident_date.replace(year=2024)),
    )
    with pytest.raises(ItaError) as caught:
        ita_csv.cases_csv(dataclasses.replace(LOG, cases=cases))
    assert caught.value.problems == [
        "case 2025-001: job_title is missing",
        "case 2025-002: dafw_num_away 200 is outside 0-180",
        "case 2025-003: date_of_death is missing for a death",
        "case 2025-004: date_of_incident 2024-02-03 is not in 2025",
    ]


def test_characters_ita_rejects_are_replaced_and_commas_quoted():
    case = osha_case(1, where="Dock #3 (north)", description='Cut & bruise, "deep" / left hand!')
    text = ita_csv.cases_csv(dataclasses.replace(LOG, cases=(case,)))
    row = list(csv.DictReader(io.StringIO(text)))[0]
    assert row["incident_location"] == "Dock 3 north"
    assert row["incident_description"] == 'Cut bruise, "deep" left hand'
    assert '"Cut bruise, ""deep"" left hand"' in text
