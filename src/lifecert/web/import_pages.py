"""Pages for bulk imports: upload a roster or a ZIP of ID photos, then watch the progress."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lifecert.core.roles import Permission
from lifecert.core.uploads import read_upload
from lifecert.enrollment import photo_import
from lifecert.identity.deps import SessionDep, verify_form_csrf
from lifecert.retirees import imports
from lifecert.retirees.models import ImportStatus
from lifecert.web.pages import page_actor
from lifecert.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/imports/{kind}", response_class=HTMLResponse)
def upload_form(request: Request, session: SessionDep, kind: str) -> HTMLResponse:
    actor = page_actor(request, session)
    actor.require(Permission.WRITE_RETIREES)
    if kind not in ("roster", "photos"):
        return render(request, "error.html", status_code=404, status=404, detail="")
    return render(request, "import_upload.html", kind=kind)


@router.post("/imports/roster")
def upload_roster(
    request: Request, session: SessionDep, file: UploadFile, csrf: Annotated[str, Form()] = ""
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    data = read_upload(file, max_bytes=imports.MAX_UPLOAD_BYTES)
    job = imports.start_roster_import(
        session, actor=actor, filename=file.filename or "roster.csv", data=data
    )
    session.commit()  # the job runs after commit (inline here, or on a worker)
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.post("/imports/photos")
def upload_photos(
    request: Request,
    session: SessionDep,
    file: UploadFile,
    csrf: Annotated[str, Form()] = "",
    consent_collected: Annotated[bool, Form()] = False,
) -> Response:
    verify_form_csrf(request, csrf)
    actor = page_actor(request, session)
    data = read_upload(file, max_bytes=photo_import.MAX_ZIP_BYTES)
    job = photo_import.start_photo_import(
        session,
        actor=actor,
        filename=file.filename or "photos.zip",
        data=data,
        consent_collected=consent_collected,
    )
    session.commit()
    return RedirectResponse(f"/imports/jobs/{job.id}", status_code=303)


@router.get("/imports/jobs/{job_id}", response_class=HTMLResponse)
def job_progress(request: Request, session: SessionDep, job_id: int) -> HTMLResponse:
    actor = page_actor(request, session)
    job = imports.get_import_job(session, actor=actor, job_id=job_id)
    running = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    return render(request, "import_progress.html", job=job, running=running)
