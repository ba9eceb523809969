"""The phone app in the in-process fake client, against a real server: sign in once, then work offline."""

from __future__ import annotations

from pathlib import Path

from conftest import PASSWORD
from sqlalchemy.orm import Session, sessionmaker
from support.flet_harness import FletHarness
from support.server import ServerProcess

from app.main import make_main
from app.phone_store import PhoneStore
from app.settings import PhoneSettings
from models.enums import Role
from sync.server.accounts import add_user


async def start_app(data_dir: Path, server_url: str) -> FletHarness:
    """Start the app with a phone store on a data dir, as a phone would at launch."""
    settings = PhoneSettings(data_dir=data_dir, server_url=server_url)
    return await FletHarness().start(make_main(lambda: PhoneStore(settings)))


async def test_wrong_password_then_right_then_offline_restart(server: ServerProcess, tmp_path: Path) -> None:
    phone = await start_app(tmp_path / "phone", server.url)
    await phone.set_value(phone.find("username"), "worker")
    await phone.set_value(phone.find("password"), "not-it")
    await phone.click(phone.find("sign_in"))
    assert phone.find("login_error").value == "Wrong username or password."

    await phone.set_value(phone.find("password"), PASSWORD)
    await phone.click(phone.find("sign_in"))
    assert phone.find("signed_in_as").value == "Signed in as Wanda Worker"

    server.stop()
    again = await start_app(tmp_path / "phone", "http://127.0.0.1:9")
    assert again.find("signed_in_as").value == "Signed in as Wanda Worker"


async def test_unreachable_server_says_so_in_the_users_language(tmp_path: Path) -> None:
    phone = await start_app(tmp_path / "phone", "http://127.0.0.1:9")
    await phone.select(phone.find("language"), "ms")
    await phone.set_value(phone.find("username"), "worker")
    await phone.set_value(phone.find("password"), PASSWORD)
    await phone.click(phone.find("sign_in"))
    assert phone.find("login_error").value.startswith("Tidak dapat menghubungi pelayan")


def add_malay_worker(sessions: sessionmaker[Session]) -> None:
    """A worker whose account says she reads Malay."""
    with sessions.begin() as session:
        add_user(
            session=session,
            username="siti",
            password=PASSWORD,
            display_name="Siti",
            roles=[("S1", Role.REPORTER)],
            language="ms",
        )


async def test_the_app_speaks_the_accounts_language_after_sign_in(
    server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    add_malay_worker(sessions)
    phone = await start_app(tmp_path / "phone", server.url)
    await phone.set_value(phone.find("username"), "siti")
    await phone.set_value(phone.find("password"), PASSWORD)
    await phone.click(phone.find("sign_in"))
    assert phone.find("signed_in_as").value == "Log masuk sebagai Siti"

    await phone.click(phone.find("sign_out"))
    await phone.set_value(phone.find("username"), "worker")
    await phone.set_value(phone.find("password"), PASSWORD)
    await phone.click(phone.find("sign_in"))
    assert phone.find("signed_in_as").value == "Signed in as Wanda Worker"


async def test_a_language_picked_at_sign_in_beats_the_accounts(
    server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    add_malay_worker(sessions)
    phone = await start_app(tmp_path / "phone", server.url)
    await phone.select(phone.find("language"), "id")
    await phone.set_value(phone.find("username"), "siti")
    await phone.set_value(phone.find("password"), PASSWORD)
    await phone.click(phone.find("sign_in"))
    assert phone.find("signed_in_as").value.startswith("Masuk sebagai")
