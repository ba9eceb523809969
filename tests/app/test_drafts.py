"""Drafts survive an app restart, keep their photos, follow form upgrades and belong to one account."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.drafts import Drafts
from app.settings import PhoneSettings

ME, OTHER = "user-1", "user-2"


def phone_file(tmp_path: Path) -> str:
    """The phone's database URL in a fresh data dir."""
    (tmp_path / "phone").mkdir()
    return PhoneSettings(data_dir=tmp_path / "phone", server_url="http://127.0.0.1:9").database_url


async def test_a_draft_and_its_photos_are_there_after_a_restart(tmp_path: Path) -> None:
    url = phone_file(tmp_path)
    drafts = Drafts.open(url)
    photo, thumb = b"\xff\xd8\xff" + b"p" * 500, b"\xff\xd8\xff" + b"t" * 50
    await drafts.save(
        draft_id="d1",
        user_id=ME,
        form_id="quick",
        form_version=1,
        values={"kind": "near_miss", "title": "Forklift"},
        extra={"photos": [{"slot": "photo-1"}]},
        blobs={"a" * 64: photo, "b" * 64: thumb},
    )

    again = Drafts.open(url)  # the app was killed and started again
    [draft] = await again.for_user(ME)
    assert (draft.id, draft.form_id, draft.values["title"]) == ("d1", "quick", "Forklift")
    assert draft.extra["photos"] == [{"slot": "photo-1"}]
    assert await again.blobs(list(draft.blobs)) == {"a" * 64: photo, "b" * 64: thumb}
    assert await again.for_user(OTHER) == [] and await again.load("d1", OTHER) is None


async def test_a_draft_of_an_older_form_version_opens_upgraded(tmp_path: Path) -> None:
    drafts = Drafts.open(phone_file(tmp_path))
    await drafts.save(
        draft_id="old",
        user_id=ME,
        form_id="injury",
        form_version=1,
        values={"title": "Burn", "treatment": "cold water for 10 minutes"},
    )
    draft = await drafts.load("old", ME)
    assert draft is not None and draft.form_version == 2
    assert draft.values["treatment_notes"] == "cold water for 10 minutes"
    assert draft.values["treatments"] == [] and "treatment" not in draft.values


async def test_a_draft_this_app_cannot_read_is_kept_but_not_offered(tmp_path: Path) -> None:
    url = phone_file(tmp_path)
    drafts = Drafts.open(url)
    await drafts.save(draft_id="future", user_id=ME, form_id="injury", form_version=99, values={})
    await drafts.save(draft_id="now", user_id=ME, form_id="near_miss", form_version=1, values={})
    assert [d.id for d in await drafts.for_user(ME)] == ["now"]
    await drafts.delete("now")
    assert await drafts.for_user(ME) == []
    with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
        assert db.execute("select id from draft").fetchall() == [("future",)]


async def test_photo_bytes_go_when_no_draft_needs_them(tmp_path: Path) -> None:
    drafts = Drafts.in_memory()
    shared, own = "s" * 64, "o" * 64
    await drafts.save(
        draft_id="1", user_id=ME, form_id="quick", form_version=1, values={}, blobs={shared: b"S"}
    )
    await drafts.save(
        draft_id="2", user_id=ME, form_id="quick", form_version=1, values={}, blobs={shared: b"S", own: b"O"}
    )
    await drafts.save(
        draft_id="2", user_id=ME, form_id="quick", form_version=1, values={}, blobs={shared: b"S"}
    )
    assert await drafts.blobs([shared, own]) == {shared: b"S"}  # the removed photo is gone
    await drafts.delete("1")
    assert await drafts.blobs([shared]) == {shared: b"S"}  # draft 2 still shows it
    await drafts.delete("2")
    assert await drafts.blobs([shared]) == {}
