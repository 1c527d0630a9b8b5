"""Who is calling (``Actor``) and what they may see: role and region scoping for every query."""

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from procurement.errors import NotFound, NotPermitted
from procurement.organizations.models import Role


def region_prefix(region_code: str) -> str:
    """650000 covers 65xxxx, 650100 covers 6501xx, 650102 only itself (GB/T 2260 levels)."""
    prefix = region_code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def region_covers(scope_code: str, region_code: str) -> bool:
    return region_code.startswith(region_prefix(scope_code))


@dataclass(frozen=True, slots=True)
class Actor:
    api_key_id: int
    organization_id: int
    role: Role
    region_code: str

    @property
    def label(self) -> str:
        return f"key:{self.api_key_id} org:{self.organization_id} role:{self.role.value}"

    def require_write(self) -> None:
        if self.role is Role.AUDITOR:
            raise NotPermitted("审计角色只能查看，不能修改数据", "the auditor role is read-only")

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            names = ", ".join(r.value for r in roles)
            raise NotPermitted(f"此操作需要以下角色之一：{names}", f"this needs one of the roles: {names}")

    @property
    def scope(self) -> tuple[str, dict[str, object]]:
        """The caller's scope as a kind and bind parameters, for statements built once (hot paths)."""
        if self.role is Role.ADMIN:
            return "all", {}
        if self.role is Role.OFFICER:
            return "organization", {"organization_id": self.organization_id}
        return "region", {"region_pattern": region_prefix(self.region_code) + "%"}

    def visible(
        self,
        org_column: InstrumentedAttribute[int] | ColumnElement[int],
        region_column: InstrumentedAttribute[str] | ColumnElement[str],
    ) -> ColumnElement[bool]:
        """WHERE clause: rows owned by org_column / located at region_column this caller may see."""
        if self.role is Role.ADMIN:
            return true()
        if self.role is Role.OFFICER:
            return org_column == self.organization_id
        return region_column.startswith(region_prefix(self.region_code), autoescape=True)


T = TypeVar("T")


def one_visible(
    session: Session,
    actor: Actor,
    model: type[T],
    row_id: int,
    *,
    org_column: InstrumentedAttribute[int],
    region_column: InstrumentedAttribute[str],
    names: tuple[str, str],
    for_update: bool = False,
) -> T:
    """The row ``row_id`` of ``model`` if the caller may see it, else NotFound naming it (zh, en).

    Absent and invisible give the same answer, so nothing leaks whether a row exists.
    """
    id_column: Any = model.id  # type: ignore[attr-defined]
    query = select(model).where(id_column == row_id, actor.visible(org_column, region_column))
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(names[0], names[1], row_id)
    return row
