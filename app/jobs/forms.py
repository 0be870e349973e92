"""The form generated for each job: one WTForms field per variable.

Every caller validates input here: the web form posts strings, the REST API and the CLI send typed
JSON values. Both end in the same fields and validators, so a value is accepted or refused the same
way whichever door it came through.

Which database rows an ObjectVar offers is the caller's to narrow: pass ``restrict_rows``, a callable
that takes a query and returns it filtered to the rows the current user may pick. This package knows
nothing of users or permissions; the submit path supplies the callable.
"""

from __future__ import annotations

from collections.abc import Mapping

import wtforms

UNKNOWN_PROPERTY = "Job data contained an unknown property"


class JobDataError(ValueError):
    """Input that failed validation; ``errors`` maps each field to its messages::

        except JobDataError as exc:
            print(exc.errors)  # {"greeting_count": ["Number must be at least 1."]}
    """

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))


class JobForm(wtforms.Form):
    """Base of generated job forms; ``form.cleaned_data()`` gives the variables' values::

        form = HelloJobs.as_form({"person_name": "Ada"})
        if form.validate():
            values = form.cleaned_data()
    """

    job_class = None

    class Meta:
        restrict_rows = None  # query -> query, narrowing ObjectVar choices; None offers every row

    def cleaned_data(self) -> dict:
        return {name: self[name].data for name in self.job_class._get_vars()}


def job_form_class(job_class, record=None) -> type[JobForm]:
    """A form class with one field per variable of ``job_class``, in the job's field order::

        form = job_form_class(HelloJobs)(formdata=request.form)
    """
    attributes = {"job_class": job_class}
    for name, var in job_class._get_vars().items():
        attributes[name] = var.make_field(record)
    return type(f"{job_class.__name__}Form", (JobForm,), attributes)


class _TypedFormData(dict):
    """Typed values shaped like request.form: ``name -> [values]``, with ``getlist``."""

    def getlist(self, key):
        return self.get(key, [])


def typed_formdata(job_class, data: Mapping, files: Mapping | None = None, record=None) -> _TypedFormData:
    """Turn API/CLI input into form data; a missing key takes the variable's default.

    The default is the form's initial value, so a DryRunVar left out follows the record's
    ``dryrun_default``.
    """
    formdata = _TypedFormData()
    for name, var in job_class._get_vars().items():
        if files and name in files:
            formdata[name] = [files[name]]
        elif name in data:
            formdata[name] = var.api_values(data[name])
        else:
            initial = var.initial(record)
            if initial is not None:
                formdata[name] = var.api_values(initial)
    return formdata


def bind_form(job_class, data=None, files=None, record=None, *, restrict_rows=None) -> JobForm:
    """A bound form: ``data`` is request.form-like (with ``getlist``) or a plain dict of typed values::

        form = bind_form(HelloJobs, {"person_name": "Ada"})

    ``restrict_rows`` narrows the rows ObjectVars offer and accept (see the module docstring).
    """
    form_class = job_form_class(job_class, record)
    meta = {"restrict_rows": restrict_rows}
    if data is None and files is None:
        return form_class(meta=meta)
    if data is not None and hasattr(data, "getlist"):
        merged = _TypedFormData({key: data.getlist(key) for key in data})
        for key in files or {}:
            merged[key] = files.getlist(key) if hasattr(files, "getlist") else [files[key]]
        return form_class(formdata=merged, meta=meta)
    return form_class(formdata=typed_formdata(job_class, data or {}, files, record), meta=meta)


def validate_data(job_class, data=None, files=None, record=None, *, strict=True, restrict_rows=None) -> dict:
    """Validate input for ``job_class``; return the cleaned values or raise JobDataError.

    ``strict`` refuses keys that are not variables of the job (the API and CLI do; the web form carries
    its own extra fields). ``restrict_rows`` narrows the rows ObjectVars accept::

        validate_data(HelloJobs, {"greeting_count": 0})  # JobDataError: greeting_count: Number must be ...
    """
    errors: dict[str, list[str]] = {}
    if strict and data:
        known = job_class._get_vars()
        for key in data:
            if key not in known:
                errors[key] = [UNKNOWN_PROPERTY]
    form = bind_form(job_class, data if data is not None else {}, files, record=record, restrict_rows=restrict_rows)
    form.validate()
    for name, messages in form.errors.items():
        errors.setdefault(name, []).extend(str(message) for message in messages)
    if errors:
        raise JobDataError(errors)
    return form.cleaned_data()
