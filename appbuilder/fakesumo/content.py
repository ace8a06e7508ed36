"""Content API v2 routes: folders, path lookups, moves, and the async import/export/delete jobs."""

from __future__ import annotations

from typing import Any

from appbuilder.fakesumo.defaults import fill_defaults
from appbuilder.fakesumo.errors import ApiError
from appbuilder.fakesumo.routing import NO_BODY, Backend, Request, Response, Router
from appbuilder.fakesumo.state import ContentItem, Job, Store
from appbuilder.fakesumo.validation import count_objects, validate_definition

NO_SUCH_CONTENT = "Content with the given ID does not exist."


class JobFailure(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def content_or_404(state: Store, content_id: str) -> ContentItem:
    item = state.get(content_id)
    if item is None:
        raise ApiError(404, "content:content_not_found", NO_SUCH_CONTENT)
    return item


def folder_or_404(state: Store, folder_id: str) -> ContentItem:
    item = state.get(folder_id)
    if item is None or not item.is_folder:
        raise ApiError(404, "content:folder_not_found", f"Folder with id {folder_id} does not exist.")
    return item


def check_unique_name(state: Store, parent: ContentItem, name: str, item: ContentItem | None = None) -> None:
    """400 when ``parent`` already holds another item called ``name``. Source: the spec's beginAsyncImport
    description ("Content items need to have a unique name within their folder"); the check and the insert
    happen under the store's lock, so of two concurrent creates of one name exactly one succeeds (the atomic
    step appbuilder's install lock relies on, docs/locking.md)."""
    other = state.child_named(parent, name)
    if other is not None and other is not item:
        raise ApiError(400, "content:duplicate_content",
                       f"A content item named {name!r} already exists in the parent folder.")


def require_write(state: Store, req: Request, item: ContentItem) -> None:
    if state.in_admin_recommended(item) and not req.admin_mode:
        raise ApiError(403, "content:admin_mode_required",
                       "Writing into Admin Recommended requires the header isAdminMode: true.")


def _folder_fields(body: dict[str, Any]) -> tuple[str, str]:
    """Name and description of a folder request the spec's schema accepted (``FolderDefinition`` /
    ``UpdateFolderRequest``)."""
    return str(body["name"]), str(body.get("description") or "")


def delete_item(state: Store, item: ContentItem) -> Response:
    """Delete one item at once (the per-item APIs' DELETE): 204 without a body."""
    state.delete(item)
    return Response(204, NO_BODY)


# -- folders -----------------------------------------------------------------------------------
def personal_folder(fake: Backend, req: Request) -> Response:
    return Response(200, fake.state.folder_view(fake.state.items[fake.state.personal_id]))


def get_folder(fake: Backend, req: Request) -> Response:
    return Response(200, fake.state.folder_view(folder_or_404(fake.state, req.params["id"])))


def create_folder(fake: Backend, req: Request) -> Response:
    state = fake.state
    body = req.object_body()
    name, description = _folder_fields(body)
    parent = folder_or_404(state, body["parentId"])
    require_write(state, req, parent)
    check_unique_name(state, parent, name)
    folder = state.new_item(name, "Folder", parent.id)
    folder.description = description
    return Response(200, state.folder_view(folder))


def update_folder(fake: Backend, req: Request) -> Response:
    state = fake.state
    folder = folder_or_404(state, req.params["id"])
    require_write(state, req, folder)
    name, description = _folder_fields(req.object_body())
    parent = state.items.get(folder.parent_id)
    if parent is not None:
        check_unique_name(state, parent, name, folder)
    folder.name, folder.description = name, description
    state.touch(folder)
    return Response(200, state.folder_view(folder))


def move_item(fake: Backend, req: Request) -> Response:
    """``POST /v2/content/{id}/move?destinationFolderId=ID``: re-parent an item (its id and permissions stay)."""
    state = fake.state
    destination_id = req.query.get("destinationFolderId")
    if not destination_id:
        raise ApiError(400, "bad.request", "Query parameter 'destinationFolderId' is required.")
    item = content_or_404(state, req.params["id"])
    destination = folder_or_404(state, destination_id)
    require_write(state, req, item)
    require_write(state, req, destination)
    if any(folder.id == item.id for folder in [destination, *state.ancestors(destination)]):
        raise ApiError(400, "content:invalid_move", "An item cannot be moved into itself or below itself.")
    if destination.id != item.parent_id:
        check_unique_name(state, destination, item.name, item)
        state.move(item, destination)
        state.touch(item)
    return Response(200, NO_BODY)


# -- path lookups ------------------------------------------------------------------------------
def item_by_path(fake: Backend, req: Request) -> Response:
    path = req.query.get("path")
    if not path:
        raise ApiError(400, "bad.request", "Query parameter 'path' is required.")
    item = fake.state.find_by_path(path)
    if item is None:
        raise ApiError(404, "content:content_not_found", f"Content with path {path!r} does not exist.")
    return Response(200, fake.state.content_view(item))


def path_by_id(fake: Backend, req: Request) -> Response:
    item = content_or_404(fake.state, req.params["id"])
    return Response(200, {"path": fake.state.path_of(item), "pathItems": fake.state.path_items(item)})


# -- async jobs --------------------------------------------------------------------------------
def _start_job(fake: Backend, req: Request, kind: str, subject: str, **params: Any) -> Response:
    state = fake.state
    job = Job(id=state.new_content_id(), kind=kind, subject=subject, polls_left=max(0, fake.job_polls),
              params=params, started=state.requests)
    if fake.take_job_failure(req.full_path, req.method):
        job.fail_with = ("internal.error", f"The {kind} job failed (injected fault).")
    state.jobs[job.id] = job
    return Response(200, {"id": job.id})


def _job(state: Store, req: Request, kind: str, subject: str = "") -> Job:
    job = state.jobs.get(req.params["job"])
    if job is None or job.kind != kind or job.subject != subject:
        raise ApiError(404, "content:job_not_found", f"Job with id {req.params['job']} does not exist.")
    return job


def settle(fake: Backend) -> None:
    """Count this request and run the jobs that are due: a job that has seen more requests than its polls
    (``job_polls``) since it started has run, polled or not. Sumo runs a job whether or not anyone polls it:
    a client whose reply to the job start was lost never learns the job id, yet the import still lands (the
    spec's "Asynchronous Request": the start call schedules the job; polling only reads its status)."""
    state = fake.state
    state.requests += 1
    for job in list(state.jobs.values()):
        if job.status == "InProgress" and state.requests - job.started > max(0, fake.job_polls) + 1:
            job.polls_left = 0
            _finish(fake, job)


def _finish(fake: Backend, job: Job) -> None:
    if job.status != "InProgress" or job.polls_left > 0:
        return
    try:
        if job.fail_with is not None:
            raise JobFailure(*job.fail_with)
        WORK[job.kind](fake.state, job)
        job.status = "Success"
    except JobFailure as failure:
        job.status = "Failed"
        job.error = {"code": failure.code, "message": failure.message}
        if job.kind == "import":
            definition = job.params["definition"]
            total = count_objects(definition)
            job.result = {
                "status": "Failed",
                "summary": {"totalItems": total, "successCount": 0, "failureCount": total},
                "failures": [{"path": job.params["path"] + "/" + str(definition.get("name")),
                              "type": str(definition.get("type")), "error": failure.message}],
            }


def _status(fake: Backend, job: Job) -> Response:
    if job.status == "InProgress" and job.polls_left > 0:
        job.polls_left -= 1
    else:
        _finish(fake, job)
    return Response(200, {"status": job.status, "statusMessage": job.status_message, "error": job.error})


def _result(fake: Backend, job: Job) -> Response:
    _finish(fake, job)
    if job.status == "InProgress":
        raise ApiError(400, "content:job_in_progress", f"Job {job.id} has not finished yet; poll its status.")
    if job.status == "Failed" and job.kind != "import":
        assert job.error is not None
        raise ApiError(400, job.error["code"], job.error["message"])
    return Response(200, job.result)


def _do_import(state: Store, job: Job) -> None:
    folder = state.get(job.subject)
    if folder is None:
        raise JobFailure("content:folder_not_found", f"Folder with id {job.subject} does not exist.")
    definition: dict[str, Any] = job.params["definition"]
    existing = state.child_named(folder, str(definition["name"]))
    if existing is not None:
        if not job.params["overwrite"]:
            raise JobFailure("content:duplicate_content",
                             f"A content item named {definition['name']!r} already exists in the folder; "
                             "use overwrite=true to replace it.")
        state.delete(existing)
    item = state.create_from_definition(definition, folder)
    job.status_message = f"id: {item.id}"
    total = count_objects(definition)
    job.result = {"status": "Success", "summary": {"totalItems": total, "successCount": total,
                                                   "failureCount": 0}, "failures": []}


def _do_export(state: Store, job: Job) -> None:
    item = state.get(job.subject)
    if item is None:
        raise JobFailure("content:content_not_found", NO_SUCH_CONTENT)
    job.result = state.export(item)


def _do_delete(state: Store, job: Job) -> None:
    item = state.get(job.subject)
    if item is None:
        raise JobFailure("content:content_not_found", NO_SUCH_CONTENT)
    state.delete(item)


def _do_global(state: Store, job: Job) -> None:
    roots = (state.items[state.personal_id], state.items[state.admin_recommended_id])
    job.result = {"data": [state.content_view(r) for r in roots]}


def _do_admin_recommended(state: Store, job: Job) -> None:
    job.result = state.folder_view(state.items[state.admin_recommended_id])


WORK = {"import": _do_import, "export": _do_export, "delete": _do_delete, "global": _do_global,
        "adminRecommended": _do_admin_recommended}


def begin_import(fake: Backend, req: Request) -> Response:
    state = fake.state
    folder = folder_or_404(state, req.params["id"])
    require_write(state, req, folder)
    overwrite = req.flag("overwrite")
    definition = req.json()
    problems = validate_definition(definition)
    if problems:
        first_code, first_message = problems[0]
        raise ApiError(400, first_code, first_message, more=problems[1:20])
    if getattr(fake, "fill_defaults", True):
        fill_defaults(definition)
    return _start_job(fake, req, "import", folder.id, definition=definition, overwrite=overwrite,
                      path=state.path_of(folder))


def import_status(fake: Backend, req: Request) -> Response:
    return _status(fake, _job(fake.state, req, "import", req.params["id"]))


def import_result(fake: Backend, req: Request) -> Response:
    return _result(fake, _job(fake.state, req, "import", req.params["id"]))


def begin_export(fake: Backend, req: Request) -> Response:
    item = content_or_404(fake.state, req.params["id"])
    return _start_job(fake, req, "export", item.id)


def export_status(fake: Backend, req: Request) -> Response:
    return _status(fake, _job(fake.state, req, "export", req.params["id"]))


def export_result(fake: Backend, req: Request) -> Response:
    return _result(fake, _job(fake.state, req, "export", req.params["id"]))


def begin_delete(fake: Backend, req: Request) -> Response:
    state = fake.state
    item = content_or_404(state, req.params["id"])
    if item.id in (state.personal_id, state.admin_recommended_id):
        raise ApiError(403, "content:cannot_delete", f"The folder {item.name!r} cannot be deleted.")
    require_write(state, req, item)
    return _start_job(fake, req, "delete", item.id)


def delete_status(fake: Backend, req: Request) -> Response:
    return _status(fake, _job(fake.state, req, "delete", req.params["id"]))


def begin_global(fake: Backend, req: Request) -> Response:
    return _start_job(fake, req, "global", "")


def begin_admin_recommended(fake: Backend, req: Request) -> Response:
    return _start_job(fake, req, "adminRecommended", "")


def _top_status(kind: str) -> Any:
    return lambda fake, req: _status(fake, _job(fake.state, req, kind))


def _top_result(kind: str) -> Any:
    return lambda fake, req: _result(fake, _job(fake.state, req, kind))


def register(router: Router) -> None:
    base = "/v2/content"
    router.add("GET", f"{base}/folders/personal", personal_folder)
    for kind, starter in (("global", begin_global), ("adminRecommended", begin_admin_recommended)):
        router.add("GET", f"{base}/folders/{kind}", starter)
        router.add("GET", f"{base}/folders/{kind}/{{job}}/status", _top_status(kind))
        router.add("GET", f"{base}/folders/{kind}/{{job}}/result", _top_result(kind))
    router.add("POST", f"{base}/folders", create_folder)
    router.add("GET", f"{base}/folders/{{id}}", get_folder)
    router.add("PUT", f"{base}/folders/{{id}}", update_folder)
    router.add("POST", f"{base}/folders/{{id}}/import", begin_import)
    router.add("GET", f"{base}/folders/{{id}}/import/{{job}}/status", import_status)
    router.add("GET", f"{base}/folders/{{id}}/import/{{job}}/result", import_result)
    router.add("GET", f"{base}/path", item_by_path)
    router.add("GET", f"{base}/{{id}}/path", path_by_id)
    router.add("POST", f"{base}/{{id}}/move", move_item)
    router.add("POST", f"{base}/{{id}}/export", begin_export)
    router.add("GET", f"{base}/{{id}}/export/{{job}}/status", export_status)
    router.add("GET", f"{base}/{{id}}/export/{{job}}/result", export_result)
    router.add("DELETE", f"{base}/{{id}}/delete", begin_delete)
    router.add("GET", f"{base}/{{id}}/delete/{{job}}/status", delete_status)
