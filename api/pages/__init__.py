"""Server-rendered pages: the officer's desk (/desk/) and the auditor's dashboard (/audit/)."""

import falcon

from api.pages.audit import (
    AuditContractPage,
    FindingList,
    FindingPage,
    Overview,
    PurchaserPage,
    ReportDownload,
)
from api.pages.audit_work import AuditRunPage, AuditRuns, Documents
from api.pages.desk import ApplyTerms, ContractPage, DeskHome, NewDraft, Supplement
from api.pages.signin import DeskLinkSignIn, Home, Language, SignIn, SignOut, SlashRedirect
from api.pages.static import StaticFiles
from config.settings import Settings
from rules.policy import PolicyBook

ID = "int(min=1, max=2147483647)"


def add_pages(app: falcon.App, settings: Settings, book: PolicyBook) -> None:
    contract_page = ContractPage(book)
    routes: list[tuple[str, object]] = [
        ("/", Home()),
        ("/signin", SignIn()),
        ("/signout", SignOut()),
        ("/lang/{code}", Language()),
        ("/static/{path:path}", StaticFiles()),
        ("/desk/link/{token}", DeskLinkSignIn()),
        ("/signin/link/{token}", DeskLinkSignIn()),
        ("/desk", SlashRedirect()),
        ("/audit", SlashRedirect()),
        ("/desk/", DeskHome()),
        ("/desk/contracts/new", NewDraft()),
        (f"/desk/contracts/{{contract_id:{ID}}}", contract_page),
        (f"/desk/contracts/{{contract_id:{ID}}}/apply", ApplyTerms(contract_page)),
        (f"/desk/contracts/{{contract_id:{ID}}}/supplement.docx", Supplement()),
        ("/audit/", Overview()),
        (f"/audit/purchasers/{{purchaser_id:{ID}}}", PurchaserPage()),
        (f"/audit/contracts/{{contract_id:{ID}}}", AuditContractPage()),
        ("/audit/findings", FindingList()),
        (f"/audit/findings/{{finding_id:{ID}}}", FindingPage()),
        ("/audit/documents", Documents(settings.max_upload_bytes)),
        ("/audit/runs", AuditRuns()),
        (f"/audit/runs/{{run_id:{ID}}}", AuditRunPage()),
        ("/audit/reports/payments.{extension}", ReportDownload()),
    ]
    for path, resource in routes:
        app.add_route(path, resource)
