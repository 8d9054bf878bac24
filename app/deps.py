"""What a route may ask for besides its session and its user: the settings and the time, so
that no route reaches into ``request.app.state``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from app.clock import Clock
from app.config import Settings


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _now(request: Request) -> datetime:
    """The request's moment, from the app's clock (tests inject their own)."""
    now: datetime = request.app.state.clock()
    return now


async def _clock(request: Request) -> Clock:
    """The app's clock itself, for work that reads the time as it goes (a long upload)."""
    clock: Clock = request.app.state.clock
    return clock


async def _secret_keys(request: Request) -> tuple[str, ...]:
    """The app's secret key, then the previous ones (``previous_secret_keys``): sign and
    encrypt with the first, read with any."""
    keys: tuple[str, ...] = request.app.state.secret_keys
    return keys


SecretKeysDep = Annotated[tuple[str, ...], Depends(_secret_keys)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ClockDep = Annotated[Clock, Depends(_clock)]
NowDep = Annotated[datetime, Depends(_now)]
