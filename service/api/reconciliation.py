"""Importing the finance system's exports, each invoice's status there, what doesn't add up,
and how promptly the venues are paid."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Page
from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from service.api.blueprint import Blueprint, refuses
from service.api.edge import attachment, ctx, current_user, finance_only, uow
from service.api.fields import Day, LondonDateTime, Text
from service.domain.financial_years import FinancialYear, NotAFinancialYear
from service.domain.payment_performance import Performance
from service.domain.reconciliation import Discrepancy, ImportRecord
from service.domain.resolutions import NOTE_LONGEST, Resolution
from service.domain.spreadsheets import XLSX
from service.usecases import discrepancies, reconciliation, reports
from service.usecases.downloads import Format
from service.usecases.reconciliation import ImportOutcome, InvoiceStatus

blp = Blueprint(
    "reconciliation", __name__, url_prefix="/api/v1", description="Reconciliation with NHS finance"
)
MAX_UPLOAD = 50 * 1024 * 1024 + 64 * 1024  # the reader's limit, plus the multipart envelope


class UploadInput(Schema):
    file = Upload(required=True, metadata={"description": "The export, as downloaded (CSV)."})
    profile = Text(
        load_default="sbs-oracle-ap",
        validate=validate.Regexp(  # a name only: paths to mapping files are for the CLI
            r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$", error="A profile name: letters, digits, - and _."
        ),
        metadata={"description": "sbs-oracle-ap, spend-over-25k or a configured mapping file."},
    )
    as_of = Day(
        load_default=None,
        metadata={
            "description": "The day the report was run (YYYY-MM-DD), if neither a report-date "
            "column nor the file's name says so; otherwise the day it is imported. An export "
            "older than one already imported never moves an invoice back."
        },
    )


class RowErrorSchema(Schema):
    line = fields.Integer()
    column = fields.String()
    message = fields.String()


class ImportSchema(Schema):
    id = fields.Integer()
    profile = fields.String()
    filename = fields.String()
    sha256 = fields.String()
    imported_by = fields.String()
    imported_at = LondonDateTime()
    trust_id = fields.Integer(allow_none=True)
    as_of = fields.Date(metadata={"description": "The day the export's data is as of."})
    as_of_source = fields.String(
        metadata={"description": "Where `as_of` came from: given, column, file_name or imported."}
    )
    older_than = fields.Date(
        allow_none=True,
        metadata={
            "description": "Set when the export is older than one imported before (as of "
            "this day): the invoices it shows as they were then keep their later state."
        },
    )
    rows_read = fields.Integer()
    matched = fields.Integer(metadata={"description": "Our invoices the export mentions."})
    other_suppliers = fields.Integer(metadata={"description": "Rows ignored: not our venues."})
    other_units = fields.Integer(
        metadata={
            "description": "Rows ignored: another trust's business unit (see a trust's "
            "`business_unit`)."
        }
    )
    kept = fields.Integer(
        metadata={
            "description": "Invoices the export shows earlier than a newer export did: their "
            "later state was kept, and only what their histories lacked was added."
        }
    )
    blank_lines = fields.Integer()
    errors = fields.Integer()
    discrepancies = fields.Integer()
    changes = fields.Integer(metadata={"description": "Status events this import recorded."})


class ImportDetailSchema(ImportSchema):
    row_errors = fields.List(fields.Nested(RowErrorSchema))


class ImportOutcomeSchema(ImportDetailSchema):
    already_imported = fields.Boolean(
        metadata={"description": "The same file was imported before; nothing changed."}
    )


class DiscrepancySchema(Schema):
    key = fields.String(
        metadata={
            "description": "What it is known by, to resolve it: made from `problem`, the invoice "
            "(or for a row that matches nothing, the venue) and `detail`, which carries the "
            "figures. A newer export saying the same keeps the key; different figures make a "
            "new one."
        }
    )
    problem = fields.String()
    detail = fields.String()
    invoice_id = fields.Integer(allow_none=True)
    venue_id = fields.Integer(allow_none=True)
    import_id = fields.Integer(allow_none=True)
    line = fields.Integer(allow_none=True)


class ResolveInput(Schema):
    key = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{64}$", error="A discrepancy's key: 64 hex digits."),
        metadata={"description": "The `key` of an open discrepancy."},
    )
    note = Text(
        required=True,
        validate=validate.Length(min=1, max=NOTE_LONGEST),
        metadata={"description": "What you found or did; kept in the audit trail."},
    )


class ResolvedQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=1000))


class ResolutionSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    problem = fields.String()
    detail = fields.String()
    invoice_id = fields.Integer(allow_none=True)
    venue_id = fields.Integer(allow_none=True)
    note = fields.String()
    resolved_by = fields.String()
    resolved_at = LondonDateTime()


class StatusEventSchema(Schema):
    status = fields.String()
    at = LondonDateTime()
    hold_code = fields.String(allow_none=True)
    hold_reason = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    paid_pence = fields.Integer()
    payment_date = fields.Date(allow_none=True)
    payment_number = fields.String(allow_none=True)
    import_id = fields.Integer(allow_none=True)
    line = fields.Integer(allow_none=True)
    as_of = fields.Date(allow_none=True, metadata={"description": "The day its export is as of."})


class InvoiceStateSchema(Schema):
    status = fields.String()
    holds = fields.List(fields.String())
    export_amount_pence = fields.Integer(allow_none=True)
    export_po_number = fields.String(allow_none=True)
    paid_pence = fields.Integer()
    payment_date = fields.Date(allow_none=True)
    payment_number = fields.String(allow_none=True)
    received_on = fields.Date(allow_none=True)
    matched_by_po_and_amount = fields.Boolean(attribute="fallback")
    confirmed = fields.Boolean()
    as_of = fields.Date(
        allow_none=True,
        metadata={"description": "The day the newest export that showed it is as of."},
    )


class InvoiceStatusSchema(Schema):
    state = fields.Nested(
        InvoiceStateSchema,
        allow_none=True,
        metadata={
            "description": "As the newest export shows it (an older export imported later "
            "never moves it back); `sent` while no export has shown it yet; null when it has "
            "not been sent either."
        },
    )
    sent_at = LondonDateTime(
        allow_none=True,
        metadata={"description": "When it was delivered to the trust's accounts payable."},
    )
    history = fields.List(fields.Nested(StatusEventSchema))


class BppcSchema(Schema):
    paid = fields.Integer()
    paid_within_30_days = fields.Integer(attribute="on_time")
    paid_pence = fields.Integer()
    paid_within_30_days_pence = fields.Integer(attribute="on_time_pence")
    percent_by_count = fields.Decimal(attribute="count_percent", as_string=True, allow_none=True)
    percent_by_value = fields.Decimal(attribute="value_percent", as_string=True, allow_none=True)
    meets_target = fields.Boolean(allow_none=True)


class AgedBandSchema(Schema):
    days = fields.String()
    count = fields.Integer()
    pence = fields.Integer()


class PerformanceSchema(Schema):
    scope = fields.String(
        metadata={"description": "trust or venue (the year), trust-month or venue-month"}
    )
    id = fields.Integer()
    name = fields.String()
    financial_year = fields.Function(lambda p: p.year.label, metadata={"example": "2026-27"})
    month = fields.Function(
        lambda p: p.month and f"{p.month:%Y-%m}",
        allow_none=True,
        metadata={"description": "A month's row: the month paid in (2026-04); else null."},
    )
    bppc = fields.Nested(BppcSchema)
    aged_unpaid = fields.List(
        fields.Nested(AgedBandSchema),
        attribute="aged",
        metadata={"description": "What is still owed, as at today: on the year's rows only."},
    )


class FinancialYearField(fields.Field):  # type: ignore[type-arg]
    """A financial year in a query string: 2026 (or 2026-27) for 1 April 2026 - 31 March 2027."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return FinancialYear.parse(str(value))
        except NotAFinancialYear as error:
            raise ValidationError(str(error)) from error


class ReportQuery(Schema):
    year = FinancialYearField(
        load_default=None,
        metadata={
            "description": "The financial year, by the calendar year it begins in (2026 for "
            "2026-27); the current one by default.",
            "type": "string",
            "example": "2026",
        },
    )


_NO_IMPORT = "404 not_found: there is no import with that id"
_NO_INVOICE = "404 not_found: there is no invoice with that id"


@blp.route("/procurement-imports")
class Imports(MethodView):
    @finance_only
    @refuses(
        "413 payload_too_large: the file is larger than 50 MB",
        "422 export_refused: the file can't be read as that export (empty, not CSV, columns "
        "missing); `detail` names the line and column",
        "422 profile_invalid: there is no profile by that name, or its mapping file is wrong",
        "503 too_slow: the import took longer than it may (ROOMHIRE_IMPORT_TIME_LIMIT, 90 s "
        "by default); it was stopped and nothing was changed",
    )
    @blp.arguments(UploadInput, location="files")  # the multipart form: file and profile
    @blp.response(201, ImportOutcomeSchema)
    @blp.alt_response(200, schema=ImportOutcomeSchema, description="Already imported")
    def post(self, form: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Import a finance-system export (finance)

        Multipart: `file`, `profile`, `as_of` (optional). All or nothing: a file with a
        structural problem is refused, naming line and column, and nothing is stored. The
        same file again changes nothing and answers 200."""
        upload = form["file"]
        if not isinstance(upload, FileStorage):
            raise ValidationError("Not a file.", "file")
        outcome = reconciliation.import_finance_export(
            ctx(),
            uow(),
            current_user(),
            upload.read(),
            upload.filename or "upload.csv",
            form["profile"],
            time_limit=ctx().import_time_limit,
            as_of=form["as_of"],
        )
        return _outcome(outcome), 200 if outcome.already_imported else 201

    @finance_only
    @blp.response(200, ImportSchema(many=True))
    def get(self) -> list[ImportRecord]:
        """List the imports (finance)

        Newest first: who, when, the file's hash and the counts."""
        return reconciliation.imports(ctx(), uow(), current_user())


def _outcome(outcome: ImportOutcome) -> dict[str, Any]:
    return {**vars(outcome.record), "already_imported": outcome.already_imported}


@blp.route("/procurement-imports/<int(max=2147483647):import_id>")
class Import(MethodView):
    @finance_only
    @refuses(_NO_IMPORT)
    @blp.response(200, ImportDetailSchema)
    def get(self, import_id: int) -> ImportRecord:
        """Read an import (finance)

        With its row errors: line, column and what is wrong."""
        return reconciliation.get_import(ctx(), uow(), current_user(), import_id)


@blp.route("/reconciliation")
class Reconciliation(MethodView):
    @finance_only
    @blp.response(200, DiscrepancySchema(many=True))
    @blp.paginate(Page, page_size=500, max_page_size=1000)
    def get(self) -> list[Discrepancy]:
        """List what doesn't add up (finance)

        Amount or PO differs, lost (never in an export long after sending), numbers we never
        issued, paid twice, over- or under-paid, and matches by PO and amount waiting for a
        person to confirm; not those marked as resolved (`/reconciliation/resolved`) while
        the exports say the same. A page at a time (`page`, `page_size` up to 1,000; 500 by
        default): the `X-Pagination` header gives the total and the pages."""
        return reconciliation.open_discrepancies(ctx(), uow(), current_user())


@blp.route("/reconciliation/<int(max=2147483647):invoice_id>/confirm")
class Confirm(MethodView):
    @finance_only
    @refuses(_NO_INVOICE, "422 rule_violation: the invoice has no match waiting to be confirmed")
    @blp.response(204)
    def post(self, invoice_id: int) -> None:
        """Confirm a match by PO and amount (finance)

        The export row matched by PO and amount, not by number, really is this invoice."""
        reconciliation.confirm_match(ctx(), uow(), current_user(), invoice_id)


@blp.route("/reconciliation/resolved")
class Resolved(MethodView):
    @finance_only
    @refuses(
        "404 not_found: no open discrepancy has that key (a newer import may have changed or "
        "cleared it)",
        "409 conflict: it was already marked as resolved",
        "422 rule_violation: the note is blank, too long or has control characters",
        "422 patient_data_suspected: the note has what looks like an NHS number",
    )
    @blp.arguments(ResolveInput)
    @blp.response(201, ResolutionSchema)
    def post(self, body: dict[str, Any]) -> Resolution:
        """Mark a discrepancy as resolved (finance)

        With a note of what you found or did, kept in the audit trail. It no longer shows
        in `/reconciliation` while exports say the same; if a newer export says something
        different (other figures), that is a new discrepancy and shows again."""
        return discrepancies.resolve_discrepancy(
            ctx(), uow(), current_user(), body["key"], body["note"]
        )

    @finance_only
    @blp.arguments(ResolvedQuery, location="query")
    @blp.response(200, ResolutionSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Resolution]:
        """List the discrepancies resolved recently (finance)

        Newest first (`limit`, 20 by default): who, when and their note."""
        resolved = discrepancies.recently_resolved(ctx(), uow(), current_user(), query["limit"])
        return [r.resolution for r in resolved]


@blp.route("/invoices/<int(max=2147483647):invoice_id>/status")
class InvoiceStatusView(MethodView):
    @finance_only
    @refuses(_NO_INVOICE)
    @blp.response(200, InvoiceStatusSchema)
    def get(self, invoice_id: int) -> InvoiceStatus:
        """Where an invoice is in NHS finance (finance)

        Sent (and when), then as each export shows it, with its history: each event names
        the import and line it came from, and holds are explained in plain words."""
        return reconciliation.invoice_status(ctx(), uow(), current_user(), invoice_id)


_BAD_YEAR = "400 bad_request: `year` is not a financial year from 2000 to 2099"


@blp.route("/reports/payment-performance")
class PaymentPerformance(MethodView):
    @finance_only
    @refuses(_BAD_YEAR)
    @blp.arguments(ReportQuery, location="query", error_status_code=400)
    @blp.response(200, PerformanceSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Performance]:
        """Report how promptly venues are paid, for a financial year (finance)

        The Better Payment Practice Code measure: of the valid invoices paid in the
        financial year (1 April to 31 March; `year`, the current one by default), the share
        paid within 30 days of receipt, or by the due date if later, by count and by value;
        target 95%. Per trust and per venue for the year, with what is still owed by age as
        at today; then per trust and per venue for each month, April to March. The same as
        CSV: `payment-performance.csv`."""
        return reports.payment_performance(ctx(), uow(), current_user(), query["year"]).rows


@blp.route("/reports/payment-performance.csv")
class PaymentPerformanceCsv(MethodView):
    @finance_only
    @refuses(_BAD_YEAR)
    @blp.arguments(ReportQuery, location="query", error_status_code=400)
    @blp.response(200, {"type": "string"}, content_type="text/csv")
    def get(self, query: dict[str, Any]) -> Response:
        """Download the payment-performance report for a financial year as CSV (finance)

        A spreadsheet, safe to open: cells a spreadsheet would run as formulas are
        neutralised. Named after its year: `payment-performance-2026-27.csv`."""
        return attachment(
            reports.payment_performance_download(
                ctx(), uow(), current_user(), Format.CSV, query["year"]
            )
        )


@blp.route("/reports/payment-performance.xlsx")
class PaymentPerformanceXlsx(MethodView):
    @finance_only
    @refuses(_BAD_YEAR)
    @blp.arguments(ReportQuery, location="query", error_status_code=400)
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX)
    def get(self, query: dict[str, Any]) -> Response:
        """Download the payment-performance report for a financial year as Excel (finance)

        The same table as the CSV: sums of money as numbers in pounds, percentages as
        numbers, the header frozen; names are always text, never run as formulas."""
        return attachment(
            reports.payment_performance_download(
                ctx(), uow(), current_user(), Format.XLSX, query["year"]
            )
        )


def limit_upload_size() -> None:
    """Exports may be large; every other body stays under the app's 1 MB limit."""
    if request.path == "/api/v1/procurement-imports" and request.method == "POST":
        request.max_content_length = MAX_UPLOAD
