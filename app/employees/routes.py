"""The leader's employees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.accounts.deps import LeaderDep
from app.db import SessionDep
from app.employees import service
from app.errors import DomainError
from app.web import render

router = APIRouter()


@router.get("/employees")
def employees_list(request: Request, session: SessionDep, leader: LeaderDep) -> Response:
    rows = service.employee_rows(session, leader_id=leader.id)
    return render(request, "employees/list.html", {"employees": rows})


@router.post("/employees/{employee_id}")
def employees_update(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    name: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    team: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    saved = None
    try:
        service.update_employee(
            session,
            leader_id=leader.id,
            employee_id=employee_id,
            name=name,
            email=email,
            team=team,
        )
        saved = employee_id
        error = None
    except DomainError as problem:
        error = (employee_id, problem)
    rows = service.employee_rows(session, leader_id=leader.id)
    return render(
        request,
        "employees/list.html",
        {"employees": rows, "saved": saved, "error": error},
        block="employee_table",
        status_code=422 if error else 200,
    )
