"""Sign-in screen: username, password and language, large touch targets."""

from __future__ import annotations

import flet as ft

from app.controls.widgets import main_button
from app.i18n import LANGUAGES
from app.shell import Shell
from app.store import StoreError


def login_view(shell: Shell) -> ft.View:
    """Build the sign-in screen."""
    t = shell.t
    username = ft.TextField(label=t("login.username"), key="username", autofocus=True, height=56)
    password = ft.TextField(
        label=t("login.password"), key="password", password=True, can_reveal_password=True, height=56
    )
    error = ft.Text("", key="login_error", color=ft.Colors.ERROR)
    language = ft.Dropdown(
        label=t("home.language"),
        key="language",
        value=shell.t.language,
        options=[ft.DropdownOption(key=code, text=name) for code, name in LANGUAGES.items()],
        tooltip=t("home.language"),
        expand=True,
    )

    async def submit(_e: ft.Event | None = None) -> None:
        if not (username.value or "").strip() or not password.value:
            error.value = t("login.error.required")
            return
        try:
            await shell.store.sign_in(username.value.strip(), password.value)
        except StoreError as exc:
            error.value = t(f"login.error.{exc.code}")
            return
        await adopt_account_language(shell)
        if shell.sync is not None:
            shell.sync.request("signed in")
        await shell.go("/home")

    async def change_language(_e: ft.Event | None = None) -> None:
        shell.language_picked = True
        shell.set_language(language.value or "en")
        await shell.remember_language()
        await shell.refresh()

    language.on_select = change_language
    password.on_submit = submit
    button = main_button(t("login.submit"), submit, key="sign_in", icon=ft.Icons.LOGIN)
    return ft.View(
        route="/",
        controls=[
            ft.Container(
                ft.Column(
                    [
                        ft.Text(t("app.title"), theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM),
                        ft.Text(t("login.title"), theme_style=ft.TextThemeStyle.TITLE_MEDIUM),
                        username,
                        password,
                        error,
                        ft.Row([button]),
                        ft.Row([language]),
                    ],
                    spacing=16,
                ),
                padding=ft.Padding.all(24),
                width=480,
            )
        ],
        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        scroll=ft.ScrollMode.AUTO,
    )


async def adopt_account_language(shell: Shell) -> None:
    """Speak the signed-in person's language, unless they just picked one on this screen."""
    account = shell.store.account
    if account is None or shell.language_picked or account.language == shell.t.language:
        return
    shell.set_language(account.language)
    if shell.t.language == account.language:
        await shell.remember_language()
