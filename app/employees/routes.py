"""The leader's employees: the list, one employee's page with their history, adding,
editing and merging (issue 15)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from app.accounts.deps import LeaderDep
from app.db import SessionDep
from app.deps import NowDep
from app.employees import service, views
from app.errors import DomainError
from app.web import path_for, redirect, render

router = APIRouter()

Text = Annotated[str, Form(max_length=1000)]


@router.get("/employees")
def employees_list(request: Request, session: SessionDep, leader: LeaderDep) -> Response:
    rows = service.employee_rows(session, leader_id=leader.id)
    return render(request, "employees/list.html", {"employees": rows, "new": {}})


@router.post("/employees")
def employees_add(
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    name: Text = "",
    email: Text = "",
    team: Text = "",
) -> Response:
    try:
        employee = service.add_employee(
            session, leader_id=leader.id, name=name, email=email, team=team
        )
    except DomainError as problem:
        # Shown beside the form, with what was typed kept.
        rows = service.employee_rows(session, leader_id=leader.id)
        context = {
            "employees": rows,
            "new": {"name": name, "email": email, "team": team},
            "add_error": problem,
        }
        return render(request, "employees/list.html", context, status_code=422)
    return redirect(request, path_for(request.app, "employees_show", employee_id=employee.id))


@router.post("/employees/{employee_id}")
def employees_update(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    name: Text = "",
    email: Text = "",
    team: Text = "",
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
        {"employees": rows, "saved": saved, "error": error, "new": {}},
        block="employee_table",
        status_code=422 if error else 200,
    )


def _lang(request: Request) -> str:
    return str(request.state.lang)


@router.get("/employees/{employee_id}")
def employees_show(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    merged: Annotated[bool, Query()] = False,
) -> Response:
    page = views.employee_page(
        session, leader_id=leader.id, employee_id=employee_id, lang=_lang(request)
    )
    return render(request, "employees/show.html", {"p": page, "merged": merged})


@router.post("/employees/{employee_id}/edit")
def employees_edit(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    name: Text = "",
    email: Text = "",
    team: Text = "",
) -> Response:
    """The person's name, e-mail and team, changed on their own page."""
    error = None
    try:
        service.update_employee(
            session,
            leader_id=leader.id,
            employee_id=employee_id,
            name=name,
            email=email,
            team=team,
        )
    except DomainError as problem:
        error = problem
    page = views.employee_page(
        session, leader_id=leader.id, employee_id=employee_id, lang=_lang(request)
    )
    context = {"p": page, "saved": error is None, "error": error}
    if error is not None:
        context["typed"] = {"name": name, "email": email, "team": team}
    return render(
        request,
        "employees/show.html",
        context,
        block="employee_details",
        status_code=422 if error else 200,
    )


@router.get("/employees/{employee_id}/merge")
def employees_merge_page(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    into: Annotated[int | None, Query()] = None,
) -> Response:
    """Choose the employee to keep; with ``into`` chosen, what the merge will do, to confirm."""
    page = views.merge_page(session, leader_id=leader.id, employee_id=employee_id, into_id=into)
    status = page.error.status_code if page.error else 200
    return render(request, "employees/merge.html", {"m": page}, status_code=status)


@router.post("/employees/{employee_id}/merge")
def employees_merge(
    employee_id: int,
    request: Request,
    session: SessionDep,
    leader: LeaderDep,
    now: NowDep,
    into: Annotated[int, Form()],
) -> Response:
    try:
        kept = service.merge_employees(
            session, leader_id=leader.id, employee_id=employee_id, into_id=into, now=now
        )
    except DomainError as problem:
        page = views.merge_page(session, leader_id=leader.id, employee_id=employee_id, into_id=None)
        return render(
            request,
            "employees/merge.html",
            {"m": page, "error": problem},
            status_code=problem.status_code,
        )
    return redirect(
        request, path_for(request.app, "employees_show", employee_id=kept.id) + "?merged=1"
    )
